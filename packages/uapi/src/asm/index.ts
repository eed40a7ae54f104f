export { assemble, asm, AsmError, type AssembleOptions } from './assemble.js';
export {
  disassemble,
  disassembleLines,
  formatInstruction,
  UNKNOWN_INSN,
  type DisassembleOptions,
  type FormatOptions,
  type PseudoStyle,
} from './disasm.js';
