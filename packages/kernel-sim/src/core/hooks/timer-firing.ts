import { MapType } from '@bpfhive/uapi';
import { type BpfTimerState, type TimerTable, timerTable } from '../helpers/timer.js';
import type { Kernel } from '../kernel.js';

/**
 * Callbacks in one catch-up at most: a callback that re-arms its timer with 0 ns would otherwise
 * never let time move on. The timers still due stay armed and fire at the next catch-up.
 */
export const MAX_FIRINGS_PER_CATCH_UP = 100_000;

export interface TimerFiringDeps {
  readonly kernel: Kernel;
  /** The world's virtual time, in ns. */
  readonly now: () => number;
}

/**
 * Fires bpf_timer callbacks (helpers/timer.ts) as time passes.
 *
 * How time passes in the kernel-sim: the world's events carry virtual times (ns since the world
 * started), and the kernel's clocks (Kernel.clock, helpers/virtual-clock.ts) are the host's plus
 * the virtual time the world ran ahead of them. Before each world event and when time is moved on
 * (`sim.time.advance`), the hooks catch up to the new virtual time `time`, first the sampling perf
 * events (perf-sampling.ts: one sample per period of world time, counted in world time), then the
 * timers here (`until`): the time maps to a kernel time (VirtualClock.target: no earlier than now,
 * no later than the world's elapsed time from the last catch-up); every armed timer that expires by
 * then fires, earliest first, each as callback(map, key, value) on the CPU that started it, in a run
 * state of its own (Kernel.callFunction); before each firing the kernel clock steps to that
 * timer's expiry, so the callback's bpf_ktime_get_ns (and trace_pipe stamp) reads its expiry and a
 * callback that re-arms itself for 1 ms fires every 1 ms; then the clock steps to the mapped time.
 * Every program sees that one clock, so time never goes back between a callback and the next run.
 * (Samples and timers due in the same catch-up run samples first, then timers, rather than merged
 * in time order: they keep separate queues, samples by world time, timers by kernel time. One
 * queue of both would need PerfSampling to schedule on the kernel clock too.)
 *
 * A callback's return value is ignored (the verifier makes it 0); one that fails is counted in
 * `errors` and the kernel goes on. Timers whose element went are freed (their program's reference
 * dropped) at each catch-up.
 */
export class TimerFiring {
  /** Callbacks called, and those that failed (EFAULT…) with the last failure. */
  fired = 0;
  errors = 0;
  lastError: unknown;

  constructor(private readonly deps: TimerFiringDeps) {}

  /** Moves the kernel clock to virtual time `time` (ns), firing the timers due by then; an earlier time fires those due on the kernel's clock alone. */
  until(time: number): void {
    const clock = this.deps.kernel.clock;
    // The world is at now(): anchor there, so that only the time from now to `time` counts.
    clock.follow(this.deps.now());
    const timers = timerTable(this.deps.kernel.arena);
    if (timers.size > 0) {
      timers.sweep();
      const end = clock.target(time);
      for (let n = 0; n < MAX_FIRINGS_PER_CATCH_UP; n++) {
        const next = this.#next(timers, end - clock.monotonicNs());
        if (!next) break;
        const [address, t] = next;
        clock.skip(t.expiresNs! - timers.now(t.clock));
        this.#fire(timers, address, t);
      }
    }
    clock.follow(time);
  }

  /** The armed timer that expires first within `within` ns from now, if any. */
  #next(timers: TimerTable, within: bigint): [number, BpfTimerState] | undefined {
    let best: [number, BpfTimerState] | undefined;
    let bestWait = 0n;
    for (const [address, t] of timers) {
      if (t.expiresNs === null || t.running) continue;
      const wait = t.expiresNs - timers.now(t.clock);
      if (wait <= within && (!best || wait < bestWait)) [best, bestWait] = [[address, t], wait];
    }
    return best;
  }

  #fire(timers: TimerTable, address: number, t: BpfTimerState): void {
    const { kernel } = this.deps;
    t.expiresNs = null;
    // Gone with its element or map (TimerTable.live), or no callback (cancelled); the program is held, so loaded unless the kernel went.
    if (!timers.live(address) || !t.program || t.callback === null || !kernel.isLoaded(t.program)) return;
    const held = t.program.maps.find((m) => BigInt(m.handle) === t.map);
    if (!held) return;
    const { map } = held;
    const keySize = Math.max(map.spec.key_size, 1);
    const key = kernel.arena.alloc(keySize);
    kernel.arena.bytes.set(t.key, key);
    try {
      // A hash element replaced by one at another address took the timer's memory with it.
      if (map.spec.map_type !== MapType.ARRAY && map.lookupAddress(key, 0) !== t.value) {
        timers.free(address);
        return;
      }
      t.running = true;
      this.fired++;
      kernel.callFunction(t.program, kernel.cpus[t.cpu % kernel.cpus.length]!, t.callback, [t.map, BigInt(key), BigInt(t.value)]);
    } catch (e) {
      this.errors++;
      this.lastError = e;
    } finally {
      t.running = false;
      kernel.arena.free(key, keySize);
    }
  }
}
