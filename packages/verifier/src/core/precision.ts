/**
 * Precision tracking (the kernel's mark_chain_precision and backtrack_insn): a scalar whose exact
 * value decided something (a branch, a pointer offset, a size, a return value) is marked precise
 * in every explored state it came through, by walking the path back and following how the value
 * was computed. Explored states compare imprecise scalars as equal whatever their value, which is
 * what lets loops with counters and accumulators converge.
 *
 * When backtracking meets something it does not follow, every scalar of the chain is marked
 * precise (mark_all_scalars_precise): less pruning, never unsound.
 */
import { AluOp, AtomicOp, CALL, InsnClass, JmpOp, LD_IMM64, Mode, PseudoCall } from '@bpfhive/uapi';
import type { Env } from './env.js';
import { histFrame, histIdx, linkedOf, stackAccessOf } from './history.js';
import { markScalarUnknown } from './bounds.js';
import { Live, type RegState } from './reg.js';
import { RegType } from './reg-type.js';
import { REG_SIZE, Stype, type VerifierState } from './state.js';

/** Registers and stack slots still to be traced, per frame (slots as two 32-bit halves). */
class Backtrack {
  readonly regs = new Int32Array(8);
  readonly lo = new Int32Array(8);
  readonly hi = new Int32Array(8);

  /** Whether every register and slot of this set is in `o`. */
  subsetOf(o: { regs: Int32Array; lo: Int32Array; hi: Int32Array }): boolean {
    for (let f = 0; f < 8; f++) {
      if ((this.regs[f]! & ~o.regs[f]!) || (this.lo[f]! & ~o.lo[f]!) || (this.hi[f]! & ~o.hi[f]!)) return false;
    }
    return true;
  }

  copy(): { regs: Int32Array; lo: Int32Array; hi: Int32Array } {
    return { regs: this.regs.slice(), lo: this.lo.slice(), hi: this.hi.slice() };
  }

  /** Copies this set into `into` (reusing its arrays). */
  copyInto(into: { regs: Int32Array; lo: Int32Array; hi: Int32Array }): void {
    into.regs.set(this.regs);
    into.lo.set(this.lo);
    into.hi.set(this.hi);
  }

  reset(): this {
    this.regs.fill(0);
    this.lo.fill(0);
    this.hi.fill(0);
    return this;
  }

  empty(): boolean {
    for (let f = 0; f < 8; f++) if (this.regs[f] || this.lo[f] || this.hi[f]) return false;
    return true;
  }

  anySlots(f: number): boolean {
    return this.lo[f] !== 0 || this.hi[f] !== 0;
  }

  has(f: number, r: number): boolean {
    return (this.regs[f]! & (1 << r)) !== 0;
  }

  set(f: number, r: number): void {
    this.regs[f]! |= 1 << r;
  }

  clear(f: number, r: number): void {
    this.regs[f]! &= ~(1 << r);
  }

  hasSlot(f: number, spi: number): boolean {
    return spi < 32 ? (this.lo[f]! & (1 << spi)) !== 0 : (this.hi[f]! & (1 << (spi - 32))) !== 0;
  }

  setSlot(f: number, spi: number): void {
    if (spi < 32) this.lo[f]! |= 1 << spi;
    else this.hi[f]! |= 1 << (spi - 32);
  }

  clearSlot(f: number, spi: number): void {
    if (spi < 32) this.lo[f]! &= ~(1 << spi);
    else this.hi[f]! &= ~(1 << (spi - 32));
  }
}

const ARGS = 0b111110;

/**
 * One instruction of the path, backwards: what must have been precise before it for what is
 * needed after it. `next` is the entry that followed it on the path (or undefined). Returns false
 * when the instruction is not followed.
 */
function backtrackInsn(env: Env, entry: number, next: number | undefined, bt: Backtrack): boolean {
  const insn = env.slots[histIdx(entry)]!;
  const f = histFrame(entry);
  const cls = insn.opcode & 0x07;
  const x = (insn.opcode & 0x08) !== 0;
  const d = insn.dst;
  const s = insn.src;
  switch (cls) {
    case InsnClass.ALU:
    case InsnClass.ALU64: {
      if (!bt.has(f, d)) return true;
      const op = insn.opcode & 0xf0;
      if (op === AluOp.MOV) {
        bt.clear(f, d);
        if (x) bt.set(f, s);
      } else if (op !== AluOp.NEG && op !== AluOp.END && x) {
        bt.set(f, s);
      }
      return true;
    }
    case InsnClass.LDX: {
      if (!bt.has(f, d)) return true;
      bt.clear(f, d);
      const sa = stackAccessOf(entry);
      if (sa) bt.setSlot(sa.frame, sa.spi);
      return true;
    }
    case InsnClass.ST:
    case InsnClass.STX: {
      const sa = stackAccessOf(entry);
      if ((insn.opcode & 0xe0) === Mode.ATOMIC) {
        const touched = bt.has(f, d) || bt.has(f, s) || (insn.imm === AtomicOp.CMPXCHG && bt.has(f, 0)) ||
          (sa !== undefined && bt.hasSlot(sa.frame, sa.spi));
        return !touched;
      }
      if (bt.has(f, d)) return false;
      if (!sa || !bt.hasSlot(sa.frame, sa.spi)) return true;
      bt.clearSlot(sa.frame, sa.spi);
      if (cls === InsnClass.STX) bt.set(f, s);
      return true;
    }
    case InsnClass.LD:
      if (insn.opcode === LD_IMM64) {
        bt.clear(f, d);
        return true;
      }
      bt.clear(f, 0);
      return (bt.regs[f]! & ARGS) === 0;
    default:
      return backtrackJmp(env, insn.opcode, insn, f, entry, next, bt);
  }
}

function backtrackJmp(
  env: Env,
  opcode: number,
  insn: { dst: number; src: number; imm: number },
  f: number,
  entry: number,
  next: number | undefined,
  bt: Backtrack,
): boolean {
  const op = opcode & 0xf0;
  if (op === JmpOp.CALL && opcode === CALL) {
    const nextFrame = next === undefined ? f : histFrame(next);
    if (insn.src === PseudoCall.LOCAL || nextFrame === f + 1) {
      // Back from the first instruction of a callee or callback to the call.
      const callee = f + 1;
      if (bt.anySlots(callee)) return false;
      const calleeRegs = bt.regs[callee]!;
      if (insn.src !== PseudoCall.LOCAL) return calleeRegs === 0;
      if (calleeRegs & ~ARGS) return false;
      bt.regs[f]! |= calleeRegs;
      bt.regs[callee] = 0;
      return true;
    }
    bt.clear(f, 0);
    return (bt.regs[f]! & ARGS) === 0;
  }
  if (op === JmpOp.EXIT) {
    if (f === 0) return true;
    const caller = f - 1;
    const nextInsn = next === undefined ? undefined : env.slots[histIdx(next)];
    if (nextInsn && nextInsn.opcode === CALL && nextInsn.src === PseudoCall.HELPER && histFrame(next!) === caller) {
      // A callback returning to its helper call: its r0 does not reach the caller.
      return true;
    }
    if (bt.has(caller, 0)) {
      bt.clear(caller, 0);
      bt.set(f, 0);
    }
    return (bt.regs[caller]! & ARGS) === 0;
  }
  if (op === JmpOp.JA || op === JmpOp.JCOND) return true;
  const ops = (1 << insn.dst) | ((opcode & 0x08) !== 0 ? 1 << insn.src : 0);
  const linked = linkedOf(entry);
  const related = ops | (linked?.regs ?? 0);
  if ((bt.regs[f]! & related) === 0) return true;
  if (linked?.spilled) return false;
  if ((opcode & 0x08) !== 0 || linked) bt.regs[f]! |= related;
  return true;
}

/** Marks every scalar of `state` and its explored ancestors precise (mark_all_scalars_precise). */
export function markAllScalarsPrecise(state: VerifierState): void {
  for (let st: VerifierState | null = state; st; st = st.parent) {
    for (const f of st.frames) {
      for (const r of f.regs) if (r.type === RegType.SCALAR) r.precise = true;
      for (const slot of f.stack) if (slot.isSpill && slot.spilled.type === RegType.SCALAR) slot.spilled.precise = true;
    }
  }
}

/** Forgets inherited precision before the state becomes an explored one (mark_all_scalars_imprecise). */
export function markAllScalarsImprecise(state: VerifierState): void {
  for (const f of state.frames) {
    for (const r of f.regs) if (r.type === RegType.SCALAR) r.precise = false;
    for (const slot of f.stack) if (slot.isSpill && slot.spilled.type === RegType.SCALAR) slot.spilled.precise = false;
  }
}

/** Marks the traced registers and slots precise in an explored state; drops those already done. */
function markInState(st: VerifierState, bt: Backtrack): boolean {
  for (let fr = 7; fr >= 0; fr--) {
    if (!bt.regs[fr] && !bt.anySlots(fr)) continue;
    const frame = st.frames[fr];
    if (!frame) return false;
    for (let r = 0; r < 10; r++) {
      if (!bt.has(fr, r)) continue;
      const reg = frame.regs[r]!;
      if (reg.type !== RegType.SCALAR || reg.precise) bt.clear(fr, r);
      else reg.precise = true;
    }
    for (let spi = 0; spi < 64 && bt.anySlots(fr); spi++) {
      if (!bt.hasSlot(fr, spi)) continue;
      const slot = frame.stack[spi];
      if (!slot) return false;
      if (!slot.isSpilledScalar || slot.spilled.precise) bt.clearSlot(fr, spi);
      else slot.spilled.precise = true;
    }
  }
  return true;
}

function chain(env: Env, start: VerifierState, bt: Backtrack, skipLast: boolean): void {
  if (!env.caps.bpfCapable || bt.empty()) return;
  let st: VerifierState = start;
  let hist = start.hist;
  let end = hist.length - (skipLast ? 1 : 0);
  let next: number | undefined = skipLast ? hist[hist.length - 1] : undefined;
  // What was traced from this path before need not be traced again.
  // Two buffers per state: the set traced before, and this request's set.
  const startPos = end;
  const traced = start.precPos >= 0 && start.precPos <= end ? start.precTraced : null;
  const startSet = start.precSpare ?? bt.copy();
  bt.copyInto(startSet);
  start.precSpare = null;
  const remember = (): void => {
    start.precSpare = start.precTraced;
    start.precTraced = startSet;
    start.precPos = startPos;
  };
  for (;;) {
    for (let i = end - 1; i >= 0; i--) {
      if (st === start && traced && i + 1 === start.precPos && bt.subsetOf(traced)) {
        remember();
        return;
      }
      const e = hist[i]!;
      if (!backtrackInsn(env, e, next, bt)) {
        markAllScalarsPrecise(start);
        return;
      }
      if (bt.empty()) {
        remember();
        return;
      }
      next = e;
    }
    if (st === start && traced && start.precPos === 0 && bt.subsetOf(traced)) {
      remember();
      return;
    }
    const parent = st.parent;
    if (!parent) break;
    if (!markInState(parent, bt)) {
      markAllScalarsPrecise(start);
      return;
    }
    if (bt.empty()) {
      remember();
      return;
    }
    st = parent;
    hist = st.hist;
    end = hist.length;
  }
  // Something was not followed back to where it was set (e.g. stack written through a helper).
  if (!bt.empty()) markAllScalarsPrecise(start);
  else remember();
}

/** The scalar in register `regno` of the current frame decided something: trace it back. */
/** Reused by markChainPrecision, which does not nest. */
const POOL = new Backtrack();

export function markChainPrecision(env: Env, regno: number): void {
  const reg = env.regs[regno]!;
  if (reg.type !== RegType.SCALAR || !env.caps.bpfCapable) return;
  const bt = POOL.reset();
  bt.set(env.cur.curframe, regno);
  chain(env, env.cur, bt, true);
}

/** The same for a spilled scalar in stack slot `spi` of frame `frame`. */
export function markSlotPrecision(env: Env, frame: number, spi: number): void {
  const bt = new Backtrack();
  bt.setSlot(frame, spi);
  chain(env, env.cur, bt, true);
}

/**
 * `cur` was pruned by `old`: what `old`'s continuation needed precise, `cur`'s explored ancestors
 * need too (propagate_precision).
 */
export function propagatePrecision(env: Env, old: VerifierState, cur: VerifierState): void {
  const bt = new Backtrack();
  old.frames.forEach((f, fr) => {
    for (let r = 0; r < 10; r++) {
      const reg = f.regs[r]!;
      if (reg.type === RegType.SCALAR && reg.precise && reg.live & Live.READ) bt.set(fr, r);
    }
    f.stack.forEach((slot, spi) => {
      const s = slot.spilled;
      if (slot.types[REG_SIZE - 1] === Stype.SPILL && s.type === RegType.SCALAR && s.precise && s.live & Live.READ) bt.setSlot(fr, spi);
    });
  });
  chain(env, cur, bt, false);
}

/**
 * The nearest explored ancestor of `state` taken at `idx` in the same call chain, older than a
 * state just taken there for the current visit (find_prev_entry): the previous loop iteration.
 */
export function findPrevEntry(state: VerifierState, idx: number): VerifierState | null {
  const first = state.parent && state.parent.insnIdx === idx && state.hist.length <= 1 ? state.parent.parent : state.parent;
  for (let st = first; st; st = st.parent) {
    if (st.insnIdx === idx && st.curframe === state.curframe && st.frames.every((f, i) => f.callsite === state.frames[i]!.callsite)) return st;
  }
  return null;
}

/**
 * Loop iterations through may_goto or callbacks: scalars the previous iteration did not need
 * precise become unknown, so the iterations converge (widen_imprecise_scalars).
 */
export function widenImpreciseScalars(old: VerifierState, cur: VerifierState): void {
  for (let fr = old.curframe; fr >= 0; fr--) {
    const fo = old.frames[fr]!;
    const fc = cur.frames[fr];
    if (!fc) continue;
    for (let i = 0; i < fo.regs.length; i++) widen(fo.regs[i]!, fc.regs[i]!);
    for (let i = 0; i < fo.stack.length && i < fc.stack.length; i++) {
      if (fo.stack[i]!.isSpill && fc.stack[i]!.isSpill) widen(fo.stack[i]!.spilled, fc.stack[i]!.spilled);
    }
  }
}

function widen(o: RegState, c: RegState): void {
  if (o.type !== RegType.SCALAR || c.type !== RegType.SCALAR || o.precise || c.precise) return;
  if (o.varOff.value === c.varOff.value && o.varOff.mask === c.varOff.mask && o.smin === c.smin && o.smax === c.smax &&
    o.umin === c.umin && o.umax === c.umax && o.u32min === c.u32min && o.u32max === c.u32max && o.s32min === c.s32min &&
    o.s32max === c.s32max) return;
  markScalarUnknown(c);
}
