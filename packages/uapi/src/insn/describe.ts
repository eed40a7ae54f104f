import { AluOp, InsnClass, JmpOp, Mode, Size, Source, classOf, isAluClass, isJmpClass } from './opcode.js';

const invert = (o: Record<string, number>): Map<number, string> =>
  new Map(Object.entries(o).map(([name, value]) => [value, name]));

const CLASS_NAMES = invert(InsnClass);
const ALU_NAMES = invert(AluOp);
const JMP_NAMES = invert(JmpOp);
const SIZE_NAMES = invert(Size);
const MODE_NAMES = invert(Mode);
const SOURCE_NAMES = invert(Source);

/**
 * The opcode spelled the way `bpf.h` builds it, e.g. `BPF_ALU64|BPF_ADD|BPF_K (0x07)`.
 * Used in error messages; works for any byte, known or not.
 */
export function describeOpcode(opcode: number): string {
  const cls = classOf(opcode);
  const parts = [`BPF_${CLASS_NAMES.get(cls)}`];
  const op = opcode & 0xf0;
  if (isAluClass(cls) || isJmpClass(cls)) {
    const names = isAluClass(cls) ? ALU_NAMES : JMP_NAMES;
    parts.push(names.has(op) ? `BPF_${names.get(op)}` : `op 0x${op.toString(16)}`);
    parts.push(`BPF_${SOURCE_NAMES.get(opcode & 0x08)}`);
  } else {
    const mode = opcode & 0xe0;
    parts.push(MODE_NAMES.has(mode) ? `BPF_${MODE_NAMES.get(mode)}` : `mode 0x${mode.toString(16)}`);
    parts.push(`BPF_${SIZE_NAMES.get(opcode & 0x18)}`);
  }
  return `${parts.join('|')} (0x${opcode.toString(16).padStart(2, '0')})`;
}
