/**
 * Dynptrs (the kernel's process_dynptr_func, mark_stack_slots_dynptr, unmark_stack_slots_dynptr,
 * destroy_if_dynptr_stack_slot): a `struct bpf_dynptr` is 16 bytes of the program's stack, two
 * slots of STACK_DYNPTR that only helpers touch.
 *   - A helper that initializes one (ARG_PTR_TO_DYNPTR | MEM_UNINIT: bpf_dynptr_from_mem,
 *     bpf_ringbuf_reserve_dynptr) needs a stack pointer at a constant, 8-byte aligned offset
 *     with room for both slots; a ringbuf dynptr holds a reference from then on, whether or not
 *     the reservation succeeded, so bpf_ringbuf_submit_dynptr or _discard_dynptr must release it
 *     on every path ("Unreleased reference id=N alloc_insn=M").
 *   - Every other dynptr argument must be an initialized dynptr ("Expected an initialized dynptr
 *     as arg #3") of the kind the helper takes ("Expected a dynptr of type ringbuf as arg #1");
 *     a release needs one holding a reference ("arg 1 is an unacquired reference", checked first).
 *   - A store over a dynptr destroys it, except one holding a reference ("cannot overwrite
 *     referenced dynptr"); its bytes are never read as data, nor written by a helper's output
 *     buffer ("potential write to dynptr at off=-16 disallowed").
 *   - bpf_dynptr_data's memory (PTR_TO_MEM_OR_NULL of the constant size asked) holds the
 *     dynptr's reference: it is unusable once a ringbuf dynptr is submitted or discarded.
 */
import { type HelperArg, type HelperProto, argHasFlag } from '@bpfhive/uapi';
import { markNotInit } from './bounds.js';
import { checkMemAccess } from './check-mem.js';
import type { Env } from './env.js';
import type { HelperMeta } from './helper-args.js';
import { markRegRead } from './liveness.js';
import { acquireReference, releaseReference } from './refs.js';
import type { RegState } from './reg.js';
import { Live } from './reg.js';
import { RegType, regTypeStr } from './reg-type.js';
import { type FuncState, REG_SIZE, type StackSlot, Stype } from './state.js';
import { tnumIsConst } from './tnum.js';

/** BPF_DYNPTR_SIZE and its stack slots. */
export const DYNPTR_SIZE = 16;
const DYNPTR_SLOTS = DYNPTR_SIZE / REG_SIZE;

/** enum bpf_dynptr_type, as the verifier tracks it. */
export const DynptrKind = { INVALID: 0, LOCAL: 1, RINGBUF: 2 } as const;
const KIND_NAME: Record<number, string> = { 0: 'invalid', 1: 'local', 2: 'ringbuf' };

/** The kind an argument names with its DYNPTR_TYPE_* flag; INVALID for any kind. */
function argKind(arg: HelperArg): number {
  if (argHasFlag(arg, 'DYNPTR_TYPE_LOCAL')) return DynptrKind.LOCAL;
  if (argHasFlag(arg, 'DYNPTR_TYPE_RINGBUF')) return DynptrKind.RINGBUF;
  return DynptrKind.INVALID;
}

/** A ringbuf dynptr holds a reference (dynptr_type_refcounted). */
const refcounted = (kind: number): boolean => kind === DynptrKind.RINGBUF;

/** Whether `fn` initializes a dynptr (its reference, if any, lives in the stack slots, not in r0). */
export const initializesDynptr = (fn: HelperProto): boolean =>
  fn.args.some((a) => a.kind === 'ARG_PTR_TO_DYNPTR' && argHasFlag(a, 'MEM_UNINIT'));

/** The dynptr a call's arguments named (for bpf_dynptr_data's result), by call. */
const calls = new WeakMap<HelperMeta, { readonly id: number; readonly refObjId: number }>();

/** The reference bpf_dynptr_data's memory holds: its dynptr's (0 for a local dynptr). */
export const dynptrRefOf = (meta: HelperMeta): number => calls.get(meta)?.refObjId ?? 0;

/**
 * The first (upper) slot of the dynptr `reg` points to (dynptr_get_spi); `grows` when the slots
 * may lie beyond the stack allocated so far (an uninitialized dynptr is written there).
 */
function dynptrSpi(env: Env, reg: RegState, frame: FuncState): number | 'out' {
  if (!tnumIsConst(reg.varOff)) env.fail('EINVAL', 'dynptr has to be at a constant offset');
  const off = reg.off + Number(BigInt.asIntN(64, reg.varOff.value));
  if (off % REG_SIZE) env.fail('EINVAL', `cannot pass in dynptr at an offset=${off}`);
  const spi = Math.floor((-off - 1) / REG_SIZE);
  if (spi < 1) env.fail('EINVAL', `cannot pass in dynptr at an offset=${off}`);
  return spi < frame.stack.length ? spi : 'out';
}

/** Both slots from `spi` down hold one initialized dynptr (is_dynptr_reg_valid_init). */
function isValidInit(frame: FuncState, spi: number): boolean {
  const hi = frame.stack[spi]!;
  const lo = frame.stack[spi - 1]!;
  return hi.types.every((t) => t === Stype.DYNPTR) && lo.types.every((t) => t === Stype.DYNPTR) && hi.dynptr?.first === true && lo.dynptr?.first === false;
}

/** Marks the two slots from `spi` as a new dynptr of `kind` (mark_stack_slots_dynptr). */
function markSlots(env: Env, frame: FuncState, spi: number, kind: number): void {
  const ref = refcounted(kind) ? acquireReference(env) : 0;
  const id = env.nextId();
  for (let i = 0; i < DYNPTR_SLOTS; i++) {
    const slot = frame.stack[spi - i]!;
    slot.types.fill(Stype.DYNPTR);
    markNotInit(slot.spilled);
    slot.spilled.id = id;
    slot.spilled.refObjId = ref;
    slot.spilled.live |= Live.WRITTEN;
    slot.dynptr = { kind, first: i === 0 };
    env.markSlotScratched(spi - i);
  }
}

/** Forgets the dynptr in the slots from `spi`: they become STACK_INVALID. */
function clearSlots(env: Env, frame: FuncState, spi: number): void {
  for (let i = 0; i < DYNPTR_SLOTS; i++) {
    const slot = frame.stack[spi - i]!;
    slot.types.fill(Stype.INVALID);
    markNotInit(slot.spilled);
    slot.spilled.live |= Live.WRITTEN;
    slot.dynptr = null;
    env.markSlotScratched(spi - i);
  }
}

/**
 * Argument `i` of `fn` (register `regno`), an ARG_PTR_TO_DYNPTR: initializes, checks or releases
 * the dynptr it points to.
 */
export function processDynptrArg(env: Env, fn: HelperProto, i: number, regno: number, meta: HelperMeta): void {
  const arg = fn.args[i]!;
  const reg = env.regs[regno]!;
  if (reg.type !== RegType.PTR_TO_STACK) env.fail('EACCES', `R${regno} type=${regTypeStr(reg.type)} expected=fp, dynptr_ptr`);
  const frame = env.cur.frames[reg.frameno]!;
  const spi = dynptrSpi(env, reg, frame);
  if (argHasFlag(arg, 'MEM_UNINIT')) {
    // The helper writes the whole struct: the stack must take it (and an old dynptr goes).
    for (let off = 0; off < DYNPTR_SIZE; off += REG_SIZE) checkMemAccess(env, regno, off, REG_SIZE, true, -1);
    const at = spi === 'out' ? dynptrSpi(env, reg, frame) : spi;
    if (at === 'out') env.fail('EFAULT', 'verifier internal error: dynptr stack slots not allocated');
    markSlots(env, frame, at, argKind(arg));
    return;
  }
  const release = argHasFlag(arg, 'OBJ_RELEASE');
  if (release && (spi === 'out' || !frame.stack[spi]!.spilled.refObjId)) env.fail('EINVAL', `arg ${regno} is an unacquired reference`);
  if (spi === 'out' || !isValidInit(frame, spi)) env.fail('EINVAL', `Expected an initialized dynptr as arg #${regno}`);
  const hi = frame.stack[spi]!;
  const want = argKind(arg);
  if (want !== DynptrKind.INVALID && hi.dynptr!.kind !== want) {
    env.fail('EINVAL', `Expected a dynptr of type ${KIND_NAME[want]} as arg #${regno}`);
  }
  markRegRead(env, hi.spilled);
  markRegRead(env, frame.stack[spi - 1]!.spilled);
  calls.set(meta, { id: hi.spilled.id, refObjId: hi.spilled.refObjId });
  if (!release) return;
  // unmark_stack_slots_dynptr: the reference goes, and with it every slice of the dynptr.
  const ref = hi.spilled.refObjId;
  clearSlots(env, frame, spi);
  if (!releaseReference(env, ref)) env.fail('EINVAL', `func ${fn.funcName}#${fn.id} reference has not been acquired before`);
}

/**
 * A store is about to overwrite stack slot `spi` of `frame` (destroy_if_dynptr_stack_slot): a
 * dynptr there is destroyed whole, unless it holds a reference.
 */
export function destroyIfDynptrSlot(env: Env, frame: FuncState, spi: number): void {
  const slot = frame.stack[spi];
  if (!slot?.dynptr || slot.types[0] !== Stype.DYNPTR) return;
  const first = slot.dynptr.first ? spi : spi + 1;
  if (refcounted(slot.dynptr.kind)) env.fail('EINVAL', 'cannot overwrite referenced dynptr');
  clearSlots(env, frame, first);
}

/** A helper's output buffer may not cover a dynptr's bytes (check_stack_range_initialized, raw mode). */
export function checkNoDynptrWrite(env: Env, frame: FuncState, minOff: number, maxOff: number): void {
  for (let off = minOff; off < maxOff; off++) {
    const slotIdx = -off - 1;
    const slot = frame.stack[Math.floor(slotIdx / REG_SIZE)];
    if (slot?.types[slotIdx % REG_SIZE] === Stype.DYNPTR) env.fail('EACCES', `potential write to dynptr at off=${off} disallowed`);
  }
}

/** Two dynptr slots are equivalent for pruning: same kind, same slot, matching references (stacksafe). */
export function dynptrSlotsSafe(o: StackSlot, c: StackSlot, ids: { check(oldId: number, curId: number): boolean }): boolean {
  return o.dynptr !== null && c.dynptr !== null && o.dynptr.kind === c.dynptr.kind && o.dynptr.first === c.dynptr.first &&
    ids.check(o.spilled.refObjId, c.spilled.refObjId);
}

/** How the log shows a dynptr's first slot: `dynptr_ringbuf(ref_id=3)`. */
export function dynptrSlotString(slot: StackSlot): string {
  const kind = KIND_NAME[slot.dynptr?.kind ?? 0] ?? 'invalid';
  return `dynptr_${kind}${slot.spilled.refObjId ? `(ref_id=${slot.spilled.refObjId})` : ''}`;
}
