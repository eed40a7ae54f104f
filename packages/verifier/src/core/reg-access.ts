/**
 * Reading and writing registers as operands (the kernel's check_reg_arg): a source must be
 * initialized ("R3 !read_ok"), the frame pointer is never a destination ("frame pointer is read
 * only"). Both mark the register as touched for the log; reads feed liveness, writes screen it.
 */
import { markNotInit, markScalarUnknown } from './bounds.js';
import type { Env } from './env.js';
import { markRegRead } from './liveness.js';
import { FP, Live, type RegState } from './reg.js';
import { RegType } from './reg-type.js';

export const SRC_OP = 0;
/** The register is written and becomes an unknown scalar. */
export const DST_OP = 1;
/** The register is written; the caller sets its new value. */
export const DST_OP_NO_MARK = 2;

export function checkRegArg(env: Env, regno: number, t: number): void {
  if (regno > FP) env.fail('EINVAL', `R${regno} is invalid`);
  env.markRegScratched(regno);
  const reg = env.regs[regno]!;
  if (t === SRC_OP) {
    if (reg.type === RegType.NOT_INIT) env.fail('EACCES', `R${regno} !read_ok`);
    if (regno !== FP) markRegRead(env, reg);
    return;
  }
  if (regno === FP) env.fail('EACCES', 'frame pointer is read only');
  reg.live |= Live.WRITTEN;
  if (t === DST_OP) markRegUnknown(env, reg);
}

/** An unknown scalar; precise when precision is not tracked (unprivileged), as the kernel prints. */
export function markRegUnknown(env: Env, reg: RegState): void {
  markScalarUnknown(reg);
  reg.precise = !env.caps.bpfCapable;
}

/** Unreadable from now on. */
export function markRegNotInit(reg: RegState): void {
  markNotInit(reg);
}

/** Whether the register holds a pointer the loader may not see as a number (is_pointer_value). */
export function isPointerValue(env: Env, reg: RegState): boolean {
  return !env.caps.allowPtrLeaks && reg.type !== RegType.SCALAR;
}

/** Pointer, whatever the privileges (__is_pointer_value(false, reg)). */
export const isPointer = (reg: RegState): boolean => reg.type !== RegType.SCALAR;

/** A pointer that must not be used any more: unreadable, or a plain number when pointers may leak (mark_reg_invalid). */
export function markRegInvalid(env: Env, reg: RegState): void {
  if (env.caps.allowPtrLeaks) markRegUnknown(env, reg);
  else markNotInit(reg);
}
