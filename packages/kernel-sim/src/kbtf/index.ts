/**
 * The simulated kernel's own BTF (btf/vmlinux.btf, built from btf/vmlinux.c) and the kernel
 * objects laid out by it:
 *
 * - kernelBtf() / kernelBtfBytes() / kernelTypeId(): the parsed model, the raw blob, type ids
 * - structLayout('task_struct'): field offsets and sizes; funcProto('tcp_v4_connect'),
 *   tracepointProto('sched_switch'): what fentry/fexit and tp_btf programs receive
 * - KernelStructs: read and write structs in kernel memory by field path
 * - BtfKernelObjects: the world's KernelObjects port, with task_struct, cred, mm, files, file,
 *   dentry, inode, sock… laid out in the arena and kept in step with the world by sync()
 */
export { VMLINUX_BTF_URL, kernelBtf, kernelBtfBytes, kernelTypeId } from './kernel-btf.js';
export { cTypeName } from './c-type.js';
export { type FieldLocation, type StructLayout, layoutOf, structLayout } from './struct-layout.js';
export { type FuncParam, type FuncProto, type TypeRef, funcProto, tracepointProto } from './func-proto.js';
export type { KernelHeap } from './heap.js';
export { type FieldValue, type KernelBlock, KernelStructs } from './kernel-structs.js';
export { type KernelRoots, type KernelRootsOptions } from './kernel-roots.js';
export type { TaskView } from './task-objects.js';
export { type SocketState, be16 } from './sock-objects.js';
export { BtfKernelObjects, type FileSizes } from './kernel-objects.js';
