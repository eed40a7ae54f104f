import { JmpOp } from '@bpfhive/uapi';
import type { Width } from './alu.js';

/**
 * Whether a conditional jump is taken, RFC 9669 §4.3. Compares the low `width` bits of the
 * operands (JMP32 compares 32 bits, JMP all 64), unsigned or signed as the operation says.
 * `src` is the src register or the immediate sign-extended to 64 bits.
 */
export function conditionHolds(op: JmpOp, width: Width, dst: bigint, src: bigint): boolean {
  const a = BigInt.asUintN(width, dst);
  const b = BigInt.asUintN(width, src);
  const sa = BigInt.asIntN(width, dst);
  const sb = BigInt.asIntN(width, src);
  switch (op) {
    case JmpOp.JEQ:
      return a === b;
    case JmpOp.JNE:
      return a !== b;
    case JmpOp.JSET:
      return (a & b) !== 0n;
    case JmpOp.JGT:
      return a > b;
    case JmpOp.JGE:
      return a >= b;
    case JmpOp.JLT:
      return a < b;
    case JmpOp.JLE:
      return a <= b;
    case JmpOp.JSGT:
      return sa > sb;
    case JmpOp.JSGE:
      return sa >= sb;
    case JmpOp.JSLT:
      return sa < sb;
    case JmpOp.JSLE:
      return sa <= sb;
    default:
      throw new RangeError(`jump: 0x${op.toString(16)} is not a conditional jump`);
  }
}
