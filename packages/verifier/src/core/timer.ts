/**
 * bpf_timer (the kernel's process_timer_func, set_timer_callback_state, push_async_cb and the
 * timer rules of check_map_access and check_map_prog_compatibility). A timer is a 16-byte
 * `struct bpf_timer` field of a map value that the map's BTF describes:
 *   - ARG_PTR_TO_TIMER must point exactly at that field, at a constant offset, of a map that has
 *     BTF and a timer ("map 'm' has to have BTF in order to use bpf_timer", "map 'm' has no valid
 *     bpf_timer", "off 8 doesn't point to 'struct bpf_timer' that is at 0");
 *   - bpf_timer_init(timer, map, flags) gets the map the timer lives in, no other;
 *   - the field is never read or written directly by load/store;
 *   - tracing programs (kprobe, tracepoint, perf_event, raw tracepoints) cannot use maps with timers;
 *   - bpf_timer_set_callback(timer, cb) has cb verified as an asynchronous callback: a fresh path
 *     of its own, one frame, r1 = the map, r2 = the key, r3 = the value, no references of the
 *     caller, returning 0 ("At async callback return the register R0 ...").
 */
import { markPointer } from './bounds.js';
import type { Env } from './env.js';
import type { HelperMeta } from './helper-args.js';
import type { MapInfo } from './map-info.js';
import type { RegState } from './reg.js';
import { RegType } from './reg-type.js';
import { FuncState, VerifierState } from './state.js';
import { tnumIsConst } from './tnum.js';

/** sizeof(struct bpf_timer). */
export const TIMER_SIZE = 16;

/**
 * Program types that may not use maps with timers (is_tracing_prog_type, Linux 6.12): fentry/fexit,
 * lsm and syscall programs may; the timer helpers themselves are in every type's base set.
 */
const TRACING_TYPES = new Set([2 /* kprobe */, 5 /* tracepoint */, 7 /* perf_event */, 17 /* raw_tracepoint */, 24 /* raw_tracepoint_writable */]);

/** The argument is the map value's bpf_timer (process_timer_func); remembers the map in `meta`. */
export function processTimerFunc(env: Env, reg: RegState, regno: number, meta: HelperMeta): void {
  const map = reg.map!;
  if (!tnumIsConst(reg.varOff)) {
    env.fail('EINVAL', `R${regno} doesn't have constant offset. bpf_timer has to be at the constant offset`);
  }
  if (!map.hasBtf) env.fail('EINVAL', `map '${map.name}' has to have BTF in order to use bpf_timer`);
  if (map.timerOff === undefined) env.fail('EINVAL', `map '${map.name}' has no valid bpf_timer`);
  const at = Number(BigInt.asIntN(64, reg.varOff.value)) + reg.off;
  if (at !== map.timerOff) env.fail('EINVAL', `off ${at} doesn't point to 'struct bpf_timer' that is at ${map.timerOff}`);
  if (meta.map) env.fail('EFAULT', 'verifier bug. Two map pointers in a timer helper');
  meta.map = map;
}

/** ARG_CONST_MAP_PTR after a timer: the same map the timer is in (bpf_timer_init). */
export function checkTimerMapMatch(env: Env, meta: HelperMeta, reg: RegState): void {
  if (meta.map && meta.map !== reg.map) {
    env.fail('EINVAL', 'timer pointer in R1 map_uid=0 doesn\'t match map pointer in R2 map_uid=0');
  }
}

/** A direct load or store of bytes [lo, hi) of a map value must stay clear of its timer. */
export function checkTimerNotTouched(env: Env, map: MapInfo, lo: number, hi: number): void {
  const t = map.timerOff;
  if (t !== undefined && lo < t + TIMER_SIZE && t < hi) env.fail('EACCES', 'bpf_timer cannot be accessed directly by load/store');
}

/** The message refusing a map with a timer in a program of type `progType`, if any (check_map_prog_compatibility). */
export function timerProgTypeError(map: MapInfo, progType: number): string | undefined {
  if (map.timerOff !== undefined && TRACING_TYPES.has(progType)) return 'tracing progs cannot use bpf_timer yet';
  return undefined;
}

const asyncCallbacks = new WeakMap<Env, Set<number>>();

/** Whether subprogram `subprogno` is a timer callback (subprog_info.is_async_cb). */
export function isAsyncCallback(env: Env, subprogno: number): boolean {
  return asyncCallbacks.get(env)?.has(subprogno) ?? false;
}

/**
 * bpf_timer_set_callback at `idx` (push_async_cb with set_timer_callback_state): queues the
 * callback as a path of its own starting in a fresh state, with (map, key, value) arguments.
 */
export function pushAsyncCallback(env: Env, idx: number, subprogno: number, map: MapInfo): void {
  const sub = env.subprogs[subprogno];
  if (!sub) env.fail('EFAULT', `verifier bug: callback subprog ${subprogno} does not exist`);
  let set = asyncCallbacks.get(env);
  if (!set) asyncCallbacks.set(env, (set = new Set()));
  set.add(subprogno);
  sub.isCallback = true;
  const state = new VerifierState();
  const frame = FuncState.create(-1, 0, subprogno);
  const [r1, r2, r3] = [frame.regs[1]!, frame.regs[2]!, frame.regs[3]!];
  markPointer(r1, RegType.CONST_PTR_TO_MAP);
  r1.map = map;
  markPointer(r2, RegType.PTR_TO_MAP_KEY);
  r2.map = map;
  markPointer(r3, RegType.PTR_TO_MAP_VALUE);
  r3.map = map;
  state.frames.push(frame);
  env.pending.push({ state, insn: sub.start, prev: idx, logPos: env.log.pos });
}
