/**
 * State pruning (the kernel's is_state_visited): at prune points the current state is compared
 * with the states explored there before. Covered by a fully explored one: the path stops here.
 * Exactly equal to one still being explored: an infinite loop. Otherwise the state may be kept
 * for later comparisons (a checkpoint), by the kernel's heuristics (2 jumps and 8 instructions
 * since the last one, always at may_goto and callback calls).
 */
import { markScalarUnknown } from './bounds.js';
import type { Env } from './env.js';
import { VerifierError } from './errors.js';
import { COMPLEXITY_LIMIT_STATES } from './limits.js';
import { linkToCheckpoint, markRegRead, propagateLiveness } from './liveness.js';
import { markAllScalarsImprecise, markAllScalarsPrecise, propagatePrecision } from './precision.js';
import { frameString } from './print-state.js';
import { Live, RegState } from './reg.js';
import { RegType } from './reg-type.js';
import type { VerifierState } from './state.js';
import { Exact, statesEqual, statesMaybeLooping } from './states-equal.js';
import { MAY_GOTO } from '@bpfhive/uapi';

/** The value of 8 MISC stack bytes, as the comparison sees it. */
const UNKNOWN = ((): RegState => {
  const r = new RegState();
  markScalarUnknown(r);
  r.type = RegType.SCALAR;
  r.live = Live.READ;
  return r;
})();

/** After a hit on a state still being explored, its read marks are incomplete: keep everything. */
function markAllRead(env: Env, cur: VerifierState): void {
  for (const f of cur.frames) {
    for (let i = 0; i < 10; i++) markRegRead(env, f.regs[i]!);
    for (const s of f.stack) markRegRead(env, s.spilled);
  }
}

/** Returns true when the current path is covered and stops here. */
export function isStateVisited(env: Env, idx: number): boolean {
  const aux = env.aux[idx]!;
  const cur = env.cur;
  const force = env.opts.testStateFreq || aux.forceCheckpoint;
  let addNew = force || (env.jmpsProcessed - env.prevJmpsProcessed >= 2 && env.insnProcessed - env.prevInsnProcessed >= 8);
  const list = env.explored[idx] ?? (env.explored[idx] = []);
  const allowUninit = env.caps.allowUninitStack;
  const isMayGoto = env.slots[idx]?.opcode === MAY_GOTO;
  let count = 0;
  for (let k = 0; k < list.length; k++) {
    const sl = list[k]!;
    count++;
    let hit = false;
    let inProgressHit = false;
    if (sl.branches > 0) {
      if (isMayGoto && sl.mayGotoDepth !== cur.mayGotoDepth && statesEqual(sl, cur, Exact.RANGE_WITHIN, allowUninit, UNKNOWN)) {
        hit = inProgressHit = true;
      } else if (aux.callsCallback) {
        if (statesEqual(sl, cur, Exact.RANGE_WITHIN, allowUninit, UNKNOWN)) hit = inProgressHit = true;
      } else if (statesMaybeLooping(sl, cur) && statesEqual(sl, cur, Exact.EXACT, allowUninit, UNKNOWN) &&
        sl.mayGotoDepth === cur.mayGotoDepth && sl.callbackUnrollDepth === cur.callbackUnrollDepth) {
        env.verboseLinfo(idx, '; ');
        const msg = `infinite loop detected at insn ${idx}`;
        env.verbose(`${msg}\n`);
        env.verbose(`cur state:${frameString(cur.cur, { all: true, regs: 0, slots: 0n }, [], env.btfName)}`);
        env.verbose(`old state:${frameString(sl.cur, { all: true, regs: 0, slots: 0n }, [], env.btfName)}`);
        throw new VerifierError('EINVAL', msg);
      }
      if (!hit && !force && env.jmpsProcessed - env.prevJmpsProcessed < 20 && env.insnProcessed - env.prevInsnProcessed < 100) {
        addNew = false;
      }
    } else if (statesEqual(sl, cur, Exact.NOT_EXACT, allowUninit, UNKNOWN, !env.caps.bpfCapable)) {
      hit = true;
    }
    if (hit) {
      sl.hits++;
      if (inProgressHit) {
        markAllRead(env, cur);
        markAllScalarsPrecise(cur);
      } else {
        propagateLiveness(env, sl, cur);
        propagatePrecision(env, sl, cur);
      }
      return true;
    }
    if (addNew) sl.misses++;
    const n = aux.forceCheckpoint && sl.branches > 0 ? 64 : 3;
    if (sl.misses > sl.hits * n + n) {
      list.splice(k, 1);
      k--;
      env.curStates--;
    }
  }
  if (count > env.maxStatesPerInsn) env.maxStatesPerInsn = count;
  if (!env.caps.bpfCapable && count > COMPLEXITY_LIMIT_STATES) return false;
  if (!addNew) return false;

  env.totalStates++;
  env.curStates++;
  if (env.curStates > env.peakStates) env.peakStates = env.curStates;
  env.prevJmpsProcessed = env.jmpsProcessed;
  env.prevInsnProcessed = env.insnProcessed;
  if (env.caps.bpfCapable) markAllScalarsImprecise(cur);
  const snapshot = cur.clone();
  snapshot.insnIdx = idx;
  snapshot.branches = 1;
  list.unshift(snapshot);
  linkToCheckpoint(cur, snapshot);
  cur.hist = [];
  cur.precPos = -1;
  return false;
}
