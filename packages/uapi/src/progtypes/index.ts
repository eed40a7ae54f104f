/**
 * Program types: the context each receives (layouts from linux/bpf.h), what it may read and write
 * there, the helpers it may call, its return range and the capability it needs — one table read by
 * the verifier and the kernel-sim alike.
 */
export * from './context.js';
export * from './helper-sets.js';
export * from './table.js';
export * from './kfuncs.js';
