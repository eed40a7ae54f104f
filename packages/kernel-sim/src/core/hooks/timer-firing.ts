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
 * Fires bpf_timer callbacks (helpers/timer.ts) as time passes: `until` (before each world event
 * and when time is moved on, as the perf samples do) runs every armed timer that expires by then,
 * earliest first, each as callback(map, key, value) on the CPU that started it, in a run state of
 * its own (Kernel.callFunction). Time passes for timers both on the kernel's clock and with the
 * world's virtual time: the virtual time that passes is added to what the timers see as now
 * (TimerTable.aheadNs), and while a callback runs, now is its expiry, so a callback that re-arms
 * itself for 1 ms fires every 1 ms. A callback's return value is ignored (the verifier makes it 0);
 * one that fails is counted in `errors` and the kernel goes on.
 */
export class TimerFiring {
  /** Callbacks called, and those that failed (EFAULT…) with the last failure. */
  fired = 0;
  errors = 0;
  lastError: unknown;

  constructor(private readonly deps: TimerFiringDeps) {}

  /** Fires the timers due by virtual time `time` (ns); an earlier time fires those due on the kernel's clock alone. */
  until(time: number): void {
    const timers = timerTable(this.deps.kernel.arena);
    // The hot path (every world event) when no program uses timers. Virtual time that passes with
    // no timer is not counted: a later timer's expiry is relative to the now it was started at.
    if (timers.size === 0) return;
    const now = this.deps.now();
    const end = timers.aheadNs + (time > now ? BigInt(time - now) : 0n);
    for (let n = 0; n < MAX_FIRINGS_PER_CATCH_UP; n++) {
      const next = this.#next(timers, end - timers.aheadNs);
      if (!next) break;
      const [address, t] = next;
      const wait = t.expiresNs! - timers.now(t.clock);
      if (wait > 0n) timers.aheadNs += wait;
      this.#fire(timers, address, t);
    }
    timers.aheadNs = end;
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
    // Gone with its element or map (TimerTable.live), or its program was freed: nothing to call.
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
        timers.delete(address);
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
