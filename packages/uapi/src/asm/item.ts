import type { Instruction } from '../insn/instruction.js';

/**
 * One parsed line: an instruction, and when its jump or call target is a label, which field
 * the resolved slot offset goes into (`off` for jumps, `imm` for gotol and bpf-to-bpf calls).
 */
export interface AsmItem {
  readonly insn: Instruction;
  readonly fixup?: { readonly label: string; readonly field: 'off' | 'imm' };
}

/** A syntax error in one line; the assembler adds the line number and text. */
export class AsmSyntaxError extends Error {}
