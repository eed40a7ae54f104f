/**
 * The object loader: loadCollection(spec, client, options) → Collection, libbpf's
 * bpf_object__load over bpf() on NATS (maps reused, created, filled, frozen and pinned;
 * programs relocated to map ids and loaded; all or nothing).
 */
export { loadCollection } from './load-collection.js';
export { attachAttr, autoAttachAttr, type LinkCreateAttr } from './attach.js';
export { LoadError, CloseError, UnresolvedKfuncError, type LoadTarget, type Unreleased } from './errors.js';
export { type UnresolvedKfunc, explainUnresolvedKfunc } from './kfunc-poison.js';
export { natsCloser, type ObjectCloser, type ObjectKind } from './closer.js';
export { DEFAULT_KERNEL_VERSION, kernelVersionCode } from './kconfig.js';
export { POISON_CALL_KFUNC_BASE } from './relocate.js';
export { checkNativeEndian } from './endian.js';
export { VMLINUX_BTF_ID, fetchKernelBtf, needsKernelBtf, withKernelBtf } from './kernel-btf.js';
export type { Collection, LoadOptions, LoadProgress, LoadedMap, LoadedProgram } from './types.js';
