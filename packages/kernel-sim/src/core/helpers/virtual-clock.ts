import type { Clock } from '../ports.js';

/**
 * The kernel's clocks as everything in it reads them — programs (bpf_ktime_get_ns and the other
 * clock helpers, the CPUs' kernel data blocks), bpf_timer expiries, trace_pipe stamps, load times —
 * the Clock port plus `aheadNs`: how far the simulated world's virtual time has run ahead of the
 * port's clocks.
 *
 * The world's time moves in two ways: with the host (a real-time traffic source sends a frame when
 * the wall clock reaches its virtual time, so the port's clock has moved as much), or in a jump
 * (`sim.time.advance`, a scenario or pcap replayed faster than real time, events injected at
 * future times). `follow(worldNs)` keeps the kernel clock at least as far from its anchor as the
 * world's time is from the world time it was anchored at, adding only what the port's clock did not
 * already pass, so neither way counts twice. `aheadNs` only grows: the clocks never go back.
 * Timers (hooks/timer-firing.ts) step it to each expiry while they fire, so a callback reads its
 * own expiry time.
 */
export class VirtualClock implements Clock {
  /** Virtual time (ns) added to the port's clocks. */
  aheadNs = 0n;
  /** The world time and the kernel monotonic time `follow` last matched them at; undefined before the first call. */
  #anchor: { world: number; kernel: bigint } | undefined;

  constructor(readonly base: Clock) {}

  monotonicNs(): bigint {
    return this.base.monotonicNs() + this.aheadNs;
  }

  realtimeNs(): bigint {
    return this.base.realtimeNs() + this.aheadNs;
  }

  /** Moves the clocks on by `ns` if that is more than 0 (a timer's expiry, a jump of world time). */
  skip(ns: bigint): void {
    if (ns > 0n) this.aheadNs += ns;
  }

  /**
   * The kernel monotonic time world time `worldNs` maps to: at least the port's clock now, and at
   * least as far past the anchor as `worldNs` is past the anchor's world time. A time before the
   * anchor's maps to now. Does not move the clock (see `follow`).
   */
  target(worldNs: number): bigint {
    const now = this.monotonicNs();
    const anchor = this.#anchor;
    if (!anchor || worldNs <= anchor.world) return now;
    const due = anchor.kernel + BigInt(worldNs - anchor.world);
    return due > now ? due : now;
  }

  /** Moves the clocks to `target(worldNs)` and anchors there: the world is at `worldNs` now. */
  follow(worldNs: number): void {
    const target = this.target(worldNs);
    this.skip(target - this.monotonicNs());
    if (!this.#anchor || worldNs >= this.#anchor.world) this.#anchor = { world: worldNs, kernel: this.monotonicNs() };
  }
}
