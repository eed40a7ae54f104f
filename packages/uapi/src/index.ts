/**
 * @bpfhive/uapi — the eBPF ABI as pure data and codecs.
 *
 * - insn/: the instruction value, opcodes, encode/decode, validation
 */
export * from './insn/index.js';
export * from './errors.js';
