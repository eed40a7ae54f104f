/**
 * @bpfhive/maps-store — map engines with kernel semantics (a library the kernel-sim uses too).
 * So far: the arena, ARRAY, PERCPU_ARRAY, HASH, PERCPU_HASH. The maps service comes with its issue.
 */
export * from './core/index.js';
