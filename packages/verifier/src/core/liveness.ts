/**
 * Read liveness (the kernel's REG_LIVE_READ/WRITTEN marks): a register or stack slot read in a
 * path segment before it is written there was needed by the explored state the segment started
 * from, and by that state's parents up to the last write. States compared for pruning ignore what
 * the explored state never read.
 */
import type { Env } from './env.js';
import { Live, type RegState } from './reg.js';
import type { VerifierState } from './state.js';

/** Marks `reg`'s value as read by its parents (mark_reg_read). */
export function markRegRead(env: Env, reg: RegState): void {
  let state = reg;
  let parent = reg.parent;
  let cnt = 0;
  while (parent) {
    if (state.live & Live.WRITTEN) break;
    if (parent.live & Live.READ) break;
    parent.live |= Live.READ;
    state = parent;
    parent = state.parent;
    cnt++;
  }
  if (cnt > env.longestMarkRead) env.longestMarkRead = cnt;
}

/**
 * After `cur` was pruned by `old`: what `old`'s continuation read, `cur`'s parents must keep
 * (propagate_liveness). Caller frames only pass on the callee-saved r6-r9.
 */
export function propagateLiveness(env: Env, old: VerifierState, cur: VerifierState): void {
  for (let f = 0; f <= old.curframe; f++) {
    const of = old.frames[f]!;
    const cf = cur.frames[f]!;
    for (let i = f < old.curframe ? 6 : 0; i < 10; i++) propagateReg(env, of.regs[i]!, cf.regs[i]!);
    const n = Math.min(of.stack.length, cf.stack.length);
    for (let i = 0; i < n; i++) propagateReg(env, of.stack[i]!.spilled, cf.stack[i]!.spilled);
  }
}

function propagateReg(env: Env, old: RegState, cur: RegState): void {
  if (!(old.live & Live.READ) || cur.live & Live.READ) return;
  cur.live |= Live.READ;
  markRegRead(env, cur);
}

/**
 * Links the current state to the explored state just taken from it: reads from now on mark the
 * snapshot, and nothing counts as written in the new segment yet.
 */
export function linkToCheckpoint(cur: VerifierState, snapshot: VerifierState): void {
  cur.parent = snapshot;
  for (let f = 0; f <= cur.curframe; f++) {
    const cf = cur.frames[f]!;
    const sf = snapshot.frames[f]!;
    // Callers' r0-r5 are not live across the call; the callee's arguments link to them instead.
    for (let i = f < cur.curframe ? 6 : 0; i < 10; i++) cf.regs[i]!.parent = sf.regs[i]!;
    for (let i = 0; i < 10; i++) cf.regs[i]!.live = Live.NONE;
    cf.stack.forEach((slot, i) => {
      slot.spilled.parent = sf.stack[i]!.spilled;
      slot.spilled.live = Live.NONE;
    });
  }
}
