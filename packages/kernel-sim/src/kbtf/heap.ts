/**
 * The memory kernel objects live in: the kernel-sim's arena (`Arena` of @bpfhive/maps-store has
 * exactly this shape), where programs read them with bpf_probe_read_kernel. Addresses are byte
 * offsets into it; 0 is never handed out.
 */
export interface KernelHeap {
  /** A zeroed block of at least `size` bytes, 8-byte aligned (`align` when larger); ENOMEM when full. */
  alloc(size: number, align?: number): number;
  /** Gives a block back. It stays readable until the next grace period (Arena.quiescent). */
  free(address: number, size: number): void;
  /** The whole memory; read it again after alloc (the memory may have grown). */
  readonly bytes: Uint8Array;
}
