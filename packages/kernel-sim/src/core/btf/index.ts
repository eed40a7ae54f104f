/**
 * BTF objects in the kernel (BPF_BTF_LOAD and friends): the table (id 1 the kernel's own BTF,
 * loaded objects from 2, refcounted), the BTF verifier with the kernel's log, and the BTF side of
 * BPF_PROG_LOAD (prog_btf_id held by the program, attach_btf_id checked against vmlinux).
 */
export { BtfTable, BtfRejectedError, VMLINUX_BTF_ID, type BtfInfo, type BtfLoadResult, type BtfObject, type KernelBtfSource } from './table.js';
export { btfTableOf } from './table-of.js';
export { type BtfLoadAttr, BTF_MAX_SIZE } from './load-attr.js';
export { type CheckedBtf, checkBtf } from './check.js';
export { BtfCheckError } from './check-error.js';
export { NO_PROG_BTF, type ProgBtf, type ProgBtfAttr, type ResolvedProgBtf, releaseProgBtf, resolveProgBtf } from './prog-btf.js';
export { type FuncInfoEntry, type InfoRecords, type LineInfoEntry, FUNC_INFO_SIZE, LINE_INFO_SIZE, checkFuncInfo, checkLineInfo, subprogStarts } from './func-line-info.js';
