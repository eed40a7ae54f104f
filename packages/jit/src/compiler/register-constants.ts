import { AluOp, CALLX, InsnClass, type Instruction, JmpOp, LD_IMM64, Source, classOf } from '@bpfhive/uapi';
import { type FunctionCfg, registersWritten, successors } from './cfg.js';

/**
 * Which registers hold a constant loaded by a `lddw` — a map pointer, most of all — at given
 * instructions of one function, on every path that reaches them: a forward dataflow over the
 * function's control flow (meet = the same constant on every incoming edge, else unknown).
 *
 * A register gets a constant from a `lddw` and keeps it through 64-bit register moves (`rX = rY`);
 * any other write makes it unknown, and so does a call or a packet load for r0..r5 (Linux clobbers
 * them). Every register is unknown where the function starts. r10 is never tracked.
 */
export type RegisterConstants = readonly (bigint | undefined)[];

const TRACKED = 10; // r0..r9
const ALU64_MOV_X = InsnClass.ALU64 | AluOp.MOV | Source.X;

/**
 * The value of register `reg` at each instruction of `at` (indexes of body instructions of `fn`)
 * where it holds the same `lddw` constant on every path; `lddw(i)` is the unsigned 64-bit value
 * instruction i loads. Instructions in unreachable blocks get nothing.
 */
export function constantsAt(
  insns: readonly Instruction[],
  fn: FunctionCfg,
  lddw: (insnIndex: number) => bigint,
  at: ReadonlySet<number>,
  reg: number,
): Map<number, bigint> {
  const entry: (bigint | undefined)[] = new Array<bigint | undefined>(TRACKED).fill(undefined);
  const inStates: ((bigint | undefined)[] | undefined)[] = fn.blocks.map(() => undefined);
  inStates[0] = entry;
  for (let changed = true; changed; ) {
    changed = false;
    for (const b of fn.rpo) {
      const state = inStates[b];
      if (!state) continue;
      const out = [...state];
      for (const i of fn.blocks[b]!.body) transfer(insns[i]!, i, out, lddw);
      for (const s of successors(fn.blocks[b]!.term)) {
        const merged = meet(inStates[s], out);
        if (merged !== inStates[s]) {
          inStates[s] = merged;
          changed = true;
        }
      }
    }
  }
  const result = new Map<number, bigint>();
  for (const b of fn.rpo) {
    const state = inStates[b];
    if (!state) continue;
    const now = [...state];
    for (const i of fn.blocks[b]!.body) {
      const value = now[reg];
      if (at.has(i) && value !== undefined) result.set(i, value);
      transfer(insns[i]!, i, now, lddw);
    }
  }
  return result;
}

/** `into` met with `from`: `into` itself when nothing changes (so the caller sees no change). */
function meet(into: (bigint | undefined)[] | undefined, from: readonly (bigint | undefined)[]): (bigint | undefined)[] {
  if (!into) return [...from];
  let out: (bigint | undefined)[] | undefined;
  for (let r = 0; r < TRACKED; r++) {
    if (into[r] !== undefined && into[r] !== from[r]) {
      out ??= [...into];
      out[r] = undefined;
    }
  }
  return out ?? into;
}

function transfer(insn: Instruction, i: number, state: (bigint | undefined)[], lddw: (insnIndex: number) => bigint): void {
  if (insn.opcode === LD_IMM64) {
    state[insn.dst] = lddw(i);
    return;
  }
  if (insn.opcode === ALU64_MOV_X && insn.off === 0) {
    state[insn.dst] = insn.src < TRACKED ? state[insn.src] : undefined;
    return;
  }
  const cls = classOf(insn.opcode);
  const call = insn.opcode === CALLX || insn.opcode === (InsnClass.JMP | JmpOp.CALL);
  if (call || cls === InsnClass.LD) {
    for (let r = 0; r <= 5; r++) state[r] = undefined;
    return;
  }
  for (const r of registersWritten(insn)) if (r < TRACKED) state[r] = undefined;
}
