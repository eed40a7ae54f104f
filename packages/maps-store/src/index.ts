/**
 * @bpfhive/maps-store — not built yet; see the open issues. The package exists so the workspace has its
 * final shape (DESIGN.md §1).
 */
export {};
