/**
 * @bpfhive/uapi — the eBPF ABI as pure data and codecs.
 *
 * - insn/: the instruction value, opcodes, encode/decode, validation
 * - asm/: the assembler (LLVM and conformance syntax) and the llvm-objdump-style disassembler
 * - conformance/: the bpf_conformance suite's `.data` reader and locator
 * - tables/ (over generated/): bpf_cmd, map, program, attach and link types, helper prototypes, errno
 * - progtypes/: per program type context layout and rights, helpers, return range, capability
 * - wire/: subjects, JSON Schemas of requests and replies (types derived from them), errors, base64
 */
export * from './insn/index.js';
export * from './asm/index.js';
export * from './conformance/index.js';
export * from './tables/index.js';
export * from './progtypes/index.js';
export * from './wire/index.js';
export * from './errors.js';
export * from './btf/index.js';
