import { type Endianness, encode } from '../insn/codec.js';
import type { Instruction } from '../insn/instruction.js';
import { slotIndex } from '../insn/instruction.js';
import { JA32, JmpOp, classOf, isJmpClass } from '../insn/opcode.js';
import { checkInstruction } from '../insn/validate.js';
import { type FormatOptions, formatInstruction } from './disasm-format.js';

export { type FormatOptions, type PseudoStyle, UNKNOWN_INSN, formatInstruction } from './disasm-format.js';

export interface DisassembleOptions extends FormatOptions {
  /**
   * Lay lines out as `llvm-objdump -d` does: the slot right-aligned in 8 columns, a colon, a
   * tab, the instruction's bytes in hex (16 for a `lddw`), a tab, the text. Jumps carry no
   * `<.text+0x..>` annotation. Default: `<slot>: <text>`, slots right-aligned to the widest.
   */
  readonly llvmObjdump?: boolean;
  /** Byte order of the bytes shown with `llvmObjdump`. Default 'little'. */
  readonly endian?: Endianness;
  /**
   * Put a label line `LBB0_<slot>:` before every slot a jump lands on, and end each jump with
   * ` <LBB0_<slot>>`, as llvm-objdump shows jumps to symbols. Labels are named by slot.
   */
  readonly labels?: boolean;
}

/**
 * A listing of a program, one line per instruction, numbered by slot (a `lddw` takes two),
 * lines joined with '\n' and no newline at the end. Never throws: an invalid instruction
 * prints as `<unknown>`.
 */
export function disassemble(insns: readonly Instruction[], options: DisassembleOptions = {}): string {
  return disassembleLines(insns, options).join('\n');
}

/** The lines of `disassemble`, label lines included. */
export function disassembleLines(insns: readonly Instruction[], options: DisassembleOptions = {}): string[] {
  const slots = slotIndex(insns);
  const total = slots[insns.length]!;
  const targets = options.labels ? jumpTargets(insns, slots) : new Map<number, number>();
  const landed = new Set(targets.values());
  const width = String(Math.max(total - 1, 0)).length;
  const lines: string[] = [];
  insns.forEach((insn, i) => {
    const slot = slots[i]!;
    if (landed.has(slot)) lines.push(`${labelName(slot)}:`);
    const target = targets.get(i);
    const text = formatInstruction(insn, options) + (target === undefined ? '' : ` <${labelName(target)}>`);
    lines.push(
      options.llvmObjdump
        ? `${String(slot).padStart(8)}:\t${hexBytes(insn, options.endian)}\t${text}`
        : `${String(slot).padStart(width)}: ${text}`,
    );
  });
  return lines;
}

const labelName = (slot: number): string => `LBB0_${slot}`;

function hexBytes(insn: Instruction, endian: Endianness | undefined): string {
  const bytes = encode([insn], endian === undefined ? {} : { endian });
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * The slot each jump lands on, by instruction index, for valid jumps (goto, gotol, may_goto,
 * conditional) whose target starts an instruction of the program.
 */
function jumpTargets(insns: readonly Instruction[], slots: readonly number[]): Map<number, number> {
  const starts = new Set(slots.slice(0, insns.length));
  const out = new Map<number, number>();
  insns.forEach((insn, i) => {
    const delta = jumpOffset(insn);
    if (delta === undefined) return;
    const target = slots[i]! + 1 + delta;
    if (starts.has(target)) out.set(i, target);
  });
  return out;
}

/** The slot offset of a valid jump, or undefined for anything that is not a jump. */
function jumpOffset(insn: Instruction): number | undefined {
  if (!isJmpClass(classOf(insn.opcode)) || checkInstruction(insn) !== undefined) return undefined;
  if (insn.opcode === JA32) return insn.imm;
  const op = insn.opcode & 0xf0;
  if (op === JmpOp.CALL || op === JmpOp.EXIT) return undefined;
  return insn.off;
}
