import type { Arena } from '@bpfhive/maps-store';
import { HelperId } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, negErrno, ptr } from './common.js';

/**
 * bpf_timer (kernel/bpf/helpers.c): a `struct bpf_timer` in a map value, named here by its
 * address. Linux's semantics and return codes:
 *   bpf_timer_init(timer, map, clock)     0; -EINVAL for a clock other than CLOCK_REALTIME (0),
 *                                         CLOCK_MONOTONIC (1) or CLOCK_BOOTTIME (7); -EBUSY when
 *                                         the timer was initialized already
 *   bpf_timer_set_callback(timer, cb)     0; -EINVAL before init
 *   bpf_timer_start(timer, nsecs, flags)  0; -EINVAL before init, without a callback, or for flags
 *                                         other than BPF_F_TIMER_ABS (1) and BPF_F_TIMER_CPU_PIN (2);
 *                                         nsecs is relative to now unless BPF_F_TIMER_ABS
 *   bpf_timer_cancel(timer)               1 if it was armed, 0 if not; -EINVAL before init;
 *                                         -EDEADLK from the timer's own callback
 * The armed timers (when, which callback, with which map) are kept per kernel in `timerTable`.
 * Firing a callback needs an entry point into a loaded program outside of a run, which the JIT
 * does not offer yet: armed timers are recorded with their expiry but not fired.
 */
export interface BpfTimerState {
  readonly map: bigint;
  readonly clock: number;
  /** The callback's function address, as the program passed it. */
  callback: bigint | null;
  /** When it fires, on its clock, in ns; null when not armed. */
  expiresNs: bigint | null;
  /** Set while its callback runs (bpf_timer_cancel from it is -EDEADLK). */
  running: boolean;
}

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const CLOCK_BOOTTIME = 7;
const TIMER_ABS = 1n;
const TIMER_CPU_PIN = 2n;

const tables = new WeakMap<Arena, Map<number, BpfTimerState>>();

/** The timers initialized in the kernel of `arena` (Kernel.arena), by the address of their struct bpf_timer. */
export function timerTable(arena: Arena): Map<number, BpfTimerState> {
  let t = tables.get(arena);
  if (!t) tables.set(arena, (t = new Map()));
  return t;
}

export function timerHelpers(kernel: KernelServices): HelperDef[] {
  const timers = timerTable(kernel.arena);
  const now = (clock: number): bigint => (clock === CLOCK_REALTIME ? kernel.clock.realtimeNs() : kernel.clock.monotonicNs());
  return [
    {
      id: HelperId.timer_init,
      fn: ([timer, map, flags]) => {
        const clock = Number(flags);
        if (flags > 15n || ![CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME].includes(clock)) return negErrno('EINVAL');
        const at = ptr(timer);
        if (timers.has(at)) return negErrno('EBUSY');
        timers.set(at, { map, clock, callback: null, expiresNs: null, running: false });
        return 0n;
      },
    },
    {
      id: HelperId.timer_set_callback,
      fn: ([timer, callback]) => {
        const t = timers.get(ptr(timer));
        if (!t) return negErrno('EINVAL');
        t.callback = callback;
        return 0n;
      },
    },
    {
      id: HelperId.timer_start,
      fn: ([timer, nsecs, flags]) => {
        const t = timers.get(ptr(timer));
        if (!t || t.callback === null || (flags & ~(TIMER_ABS | TIMER_CPU_PIN)) !== 0n) return negErrno('EINVAL');
        t.expiresNs = flags & TIMER_ABS ? nsecs : now(t.clock) + nsecs;
        return 0n;
      },
    },
    {
      id: HelperId.timer_cancel,
      fn: ([timer]) => {
        const t = timers.get(ptr(timer));
        if (!t) return negErrno('EINVAL');
        if (t.running) return negErrno('EDEADLK');
        const armed = t.expiresNs !== null;
        t.expiresNs = null;
        return armed ? 1n : 0n;
      },
    },
  ];
}
