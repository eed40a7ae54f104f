/**
 * The depth-first exploration's bookkeeping (the kernel's push_stack, pop_stack and
 * update_branch_counts): branches wait on a stack; an explored state counts the paths still
 * running from it and is complete (usable for pruning) when that count drops to zero.
 */
import type { Env } from './env.js';
import { COMPLEXITY_LIMIT_JMP_SEQ } from './limits.js';
import type { VerifierState } from './state.js';

/** Queues a copy of the current state to continue at `insn` later; returns the copy. */
export function pushStack(env: Env, insn: number, prev: number): VerifierState {
  const state = env.cur.clone();
  env.pending.push({ state, insn, prev, logPos: env.log.pos });
  if (env.pending.length > COMPLEXITY_LIMIT_JMP_SEQ) {
    env.fail('E2BIG', `The sequence of ${env.pending.length} jumps is too complex.`);
  }
  if (state.parent) state.parent.branches++;
  return state;
}

/** Drops a queued state again (an edge found impossible after it was queued). */
export function dropPushed(env: Env, state: VerifierState): void {
  const i = env.pending.findIndex((p) => p.state === state);
  if (i >= 0) env.pending.splice(i, 1);
  updateBranchCounts(state);
}

/** A path ended (exit or pruned): its explored ancestors have one running path less. */
export function updateBranchCounts(state: VerifierState): void {
  let st = state.parent;
  while (st) {
    st.branches--;
    if (st.branches > 0) break;
    st = st.parent;
  }
}

/** Continues with the next queued branch; false when none is left. Rewinds the log at level 1. */
export function popStack(env: Env): boolean {
  const next = env.pending.pop();
  if (!next) return false;
  env.cur = next.state;
  env.insnIdx = next.insn;
  env.prevInsnIdx = next.prev;
  if (!env.log.level2) env.log.reset(next.logPos);
  return true;
}
