/**
 * @bpfhive/uapi — the eBPF ABI as pure data and codecs.
 *
 * - insn/: the instruction value, opcodes, encode/decode, validation
 * - asm/: the assembler (LLVM and conformance syntax) and the llvm-objdump-style disassembler
 */
export * from './insn/index.js';
export * from './asm/index.js';
export * from './errors.js';
