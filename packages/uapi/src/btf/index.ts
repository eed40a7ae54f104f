/**
 * BTF, the BPF Type Format (Documentation/bpf/btf.rst), as data:
 *
 * - parseBtf / encodeBtf: `.BTF` bytes (either byte order) to the type model and back
 * - validateBtf: the kernel's structural checks, loops in type chains included
 * - query: skip modifiers and typedefs, btfSizeOf, btfAlignOf, findBtfMember, find types by name
 * - dumpBtfRaw: `bpftool btf dump` text; dumpBtfC: `format c`
 * - parseBtfExt: `.BTF.ext` func_info, line_info and CO-RE relocation records
 * - mapBtfFieldsOf: a map's special value fields (map_check_btf); kernelBtfForVerifier: a verify request's kernel_btf
 */
export * from './kinds.js';
export * from './types.js';
export { BtfError } from './errors.js';
export { BTF_HEADER_SIZE, BTF_TYPE_SIZE, extraSize as btfExtraSize } from './layout.js';
export { type BtfStrings, StringTableBuilder, btfStringAt } from './strings.js';
export { type BtfHeader, type ParsedBtf, btfEndianOf, parseBtf, parseBtfHeader } from './parse.js';
export { type EncodeBtfOptions, encodeBtf } from './encode.js';
export { btfTypeLabel, validateBtf } from './validate.js';
export * from './query.js';
export { type FuncArgType, type FuncProtoInfo, btfFindStructField, btfFuncProto } from './func-proto.js';
export { dumpBtfRaw, dumpBtfType } from './dump.js';
export { type MapBtfAttr, type MapBtfFields, type MapKptrField, mapBtfFieldsOf, mapValueHasKptrs } from './map-fields.js';
export { type KernelBtfWalk, PERCPU_SECTION, type VerifierKernelBtf, kernelBtfForVerifier, percpuVars } from './verifier-kernel-btf.js';
export { type VerifierKernelType, kernelTypesFrom } from './verifier-kernel-types.js';
export { type VerifierAttachFunc, type VerifierKernelRequestOptions, attachFuncForVerifier, verifierKernelRequest } from './verifier-kernel-request.js';
export { type DumpBtfCOptions, dumpBtfC } from './dump-c.js';
export * from './core.js';
export * from './ext.js';
