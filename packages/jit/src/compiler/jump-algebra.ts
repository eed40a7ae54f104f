/** Conditional jumps rewritten: the opposite condition and the condition with its operands swapped. */
import { JmpOp } from '@bpfhive/uapi';

/** The jump that holds exactly when `op` does not. */
export const NEGATE: ReadonlyMap<number, number> = new Map([
  [JmpOp.JEQ, JmpOp.JNE],
  [JmpOp.JNE, JmpOp.JEQ],
  [JmpOp.JLT, JmpOp.JGE],
  [JmpOp.JGE, JmpOp.JLT],
  [JmpOp.JLE, JmpOp.JGT],
  [JmpOp.JGT, JmpOp.JLE],
  [JmpOp.JSLT, JmpOp.JSGE],
  [JmpOp.JSGE, JmpOp.JSLT],
  [JmpOp.JSLE, JmpOp.JSGT],
  [JmpOp.JSGT, JmpOp.JSLE],
]);
/** `a op b` is `b SWAP(op) a`. */
export const SWAP: ReadonlyMap<number, number> = new Map([
  [JmpOp.JEQ, JmpOp.JEQ],
  [JmpOp.JNE, JmpOp.JNE],
  [JmpOp.JLT, JmpOp.JGT],
  [JmpOp.JGT, JmpOp.JLT],
  [JmpOp.JLE, JmpOp.JGE],
  [JmpOp.JGE, JmpOp.JLE],
  [JmpOp.JSLT, JmpOp.JSGT],
  [JmpOp.JSGT, JmpOp.JSLT],
  [JmpOp.JSLE, JmpOp.JSGE],
  [JmpOp.JSGE, JmpOp.JSLE],
]);
