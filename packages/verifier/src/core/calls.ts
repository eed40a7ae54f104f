/**
 * bpf-to-bpf calls and callbacks (the kernel's check_func_call, push_callback_call and
 * prepare_func_exit): a call opens a frame (at most 8) whose r1-r5 are the caller's arguments and
 * whose stack is its own; the caller's r0-r5 become unreadable and r6-r9 survive. A helper that
 * calls back a subprogram (bpf_loop, bpf_for_each_map_elem) has the callback explored as a
 * frame that returns to the helper call, again and again until the states converge.
 */
import { findPrevEntry, markChainPrecision, widenImpreciseScalars } from './precision.js';
import type { Instruction } from '@bpfhive/uapi';
import type { Env } from './env.js';
import { pushStack } from './explore.js';
import { MAX_CALL_FRAMES } from './limits.js';
import { frameString } from './print-state.js';
import { checkRegArg, markRegNotInit } from './reg-access.js';
import { RegType, regTypeStr } from './reg-type.js';
import { FuncState, type VerifierState } from './state.js';
import { S64_MIN, S64_MAX } from './u64.js';
import { checkGlobalCall, globalReturnsVoid, isGlobalSubprog } from './global-func.js';
import { isAsyncCallback } from './timer.js';

/** The return value of a timer callback (0) or of a global function (a scalar) verified on its own. */
function checkSubprogReturn(env: Env, subprogno: number): void {
  const r0 = env.regs[0]!;
  if (isAsyncCallback(env, subprogno)) {
    if (r0.type !== RegType.SCALAR) env.fail('EINVAL', `At async callback return the register R0 is not a known value (${regTypeStr(r0.type)})`);
    markChainPrecision(env, 0);
    const range = { min: 0, max: 0 };
    if (r0.smin < 0n || r0.smax > 0n) env.fail('EINVAL', invalidScalarMessage('At async callback return', 'R0', r0.smin, r0.smax, range));
    return;
  }
  if (r0.type !== RegType.SCALAR) env.fail('EINVAL', `At subprogram exit the register R0 is not a scalar value (${regTypeStr(r0.type)})`);
}

/** The subprogram starting at `start`. */
export function subprogAt(env: Env, start: number): number {
  const i = env.subprogs.findIndex((s) => s.start === start);
  if (i < 0) env.fail('EFAULT', `verifier bug: target of func call at insn ${start} is not a program`);
  return i;
}

function newFrame(env: Env, state: VerifierState, callsite: number, subprogno: number): FuncState {
  if (state.frames.length >= MAX_CALL_FRAMES) env.fail('E2BIG', `the call stack of ${state.frames.length + 1} frames is too deep`);
  return FuncState.create(callsite, state.frames.length, subprogno);
}

/** A bpf-to-bpf call at `idx`: returns the callee's first instruction. */
export function checkFuncCall(env: Env, insn: Instruction, idx: number): number {
  const target = idx + insn.imm + 1;
  const subprogno = subprogAt(env, target);
  if (isGlobalSubprog(env, subprogno)) return checkGlobalCall(env, idx, subprogno);
  const state = env.cur;
  const caller = state.cur;
  const callee = newFrame(env, state, idx, subprogno);
  for (let r = 1; r <= 5; r++) callee.regs[r]!.copyFrom(caller.regs[r]!);
  state.frames.push(callee);
  for (let r = 0; r <= 5; r++) {
    markRegNotInit(caller.regs[r]!);
    caller.regs[r]!.live |= 2;
  }
  if (env.log.enabled) {
    env.verbose('caller:\n');
    env.verbose(frameString(caller, { all: true, regs: 0, slots: 0n }, state.refs, env.btfName));
    env.verbose('callee:\n');
    env.verbose(frameString(callee, { all: true, regs: 0, slots: 0n }, state.refs, env.btfName));
  }
  return env.subprogs[subprogno]!.start;
}

/**
 * Queues an exploration of callback `subprogno` called from the helper call at `idx`; `setup`
 * fills the callback's argument registers from the caller's.
 */
export function pushCallbackCall(env: Env, idx: number, subprogno: number, setup: (caller: FuncState, callee: FuncState) => void): void {
  const sub = env.subprogs[subprogno];
  if (!sub) env.fail('EFAULT', `verifier bug: callback subprog ${subprogno} does not exist`);
  sub.isCallback = true;
  const state = pushStack(env, sub.start, idx);
  const caller = state.cur;
  const callee = newFrame(env, state, idx, subprogno);
  callee.inCallback = true;
  callee.callbackRet = { min: 0, max: 1 };
  setup(caller, callee);
  state.frames.push(callee);
  state.callbackUnrollDepth++;
  caller.callbackDepth++;
  env.frame.callbackDepth = 0;
}

/** Exit from a subprogram or callback frame: returns where the caller continues. */
export function prepareFuncExit(env: Env): number {
  const state = env.cur;
  const callee = state.cur;
  const r0 = callee.regs[0]!;
  if (r0.type === RegType.PTR_TO_STACK) env.fail('EINVAL', 'cannot return stack pointer to the caller');
  const caller = state.frames[state.frames.length - 2]!;
  let next: number;
  if (callee.inCallback) {
    checkRegArg(env, 0, 0);
    if (r0.type !== RegType.SCALAR) env.fail('EACCES', 'R0 not a scalar value');
    markChainPrecision(env, 0);
    const range = callee.callbackRet;
    if (r0.smin < BigInt(range.min) || r0.smax > BigInt(range.max)) {
      env.fail('EINVAL', invalidScalarMessage('At callback return', 'R0', r0.smin, r0.smax, range));
    }
    next = callee.callsite;
  } else {
    caller.regs[0]!.assignFrom(r0);
    next = callee.callsite + 1;
  }
  if (env.log.enabled) {
    env.verbose('returning from callee:\n');
    env.verbose(frameString(callee, { all: true, regs: 0, slots: 0n }, state.refs, env.btfName));
    env.verbose(`to caller at ${next}:\n`);
    env.verbose(frameString(caller, { all: true, regs: 0, slots: 0n }, state.refs, env.btfName));
  }
  state.frames.pop();
  if (callee.inCallback) {
    const prev = findPrevEntry(state, next);
    if (prev) widenImpreciseScalars(prev, state);
  }
  return next;
}

/** "At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]" (verbose_invalid_scalar). */
export function invalidScalarMessage(ctx: string, reg: string, smin: bigint, smax: bigint, range: { min: number; max: number }): string {
  let s = `${ctx} the register ${reg} has`;
  let unknown = true;
  if (smin > S64_MIN) {
    s += ` smin=${smin}`;
    unknown = false;
  }
  if (smax < S64_MAX) {
    s += ` smax=${smax}`;
    unknown = false;
  }
  if (unknown) s += ' unknown scalar value';
  return `${s} should have been in [${range.min}, ${range.max}]`;
}

/**
 * The return value where a path of frame 0 exits (check_return_code): for the main program a
 * scalar in the program type's range; for a timer callback 0; for a global function a scalar
 * (nothing when it returns void).
 */
export function checkReturnCode(env: Env): void {
  const subprogno = env.frame.subprogno;
  if (subprogno !== 0 && !isAsyncCallback(env, subprogno) && globalReturnsVoid(env, subprogno)) return;
  checkRegArg(env, 0, 0);
  const r0 = env.regs[0]!;
  if (!env.caps.allowPtrLeaks && r0.type !== RegType.SCALAR) env.fail('EACCES', 'R0 leaks addr as return value');
  if (subprogno !== 0) {
    checkSubprogReturn(env, subprogno);
    return;
  }
  const range = env.spec.ret;
  if (!range) return;
  if (r0.type !== RegType.SCALAR) {
    env.fail('EINVAL', `At program exit the register R0 is not a known value (${regTypeStr(r0.type)})`);
  }
  markChainPrecision(env, 0);
  if (r0.smin < BigInt(range.min) || r0.smax > BigInt(range.max)) {
    env.fail('EINVAL', invalidScalarMessage('At program exit', 'R0', r0.smin, r0.smax, range));
  }
}
