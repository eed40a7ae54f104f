import type { Clock, RandomSource, TraceOutput } from './ports.js';

/**
 * Default implementations of the small ports: the host's clocks, Math.random, and a trace output
 * that drops its lines. Services replace the output with a NATS publisher; tests replace the
 * clock and the random source with deterministic ones.
 */

/** The host clocks; the monotonic clock starts near 0 when the kernel "boots" (is created). */
export function systemClock(): Clock {
  const boot = process.hrtime.bigint();
  // Linux's monotonic clock starts a little after 0 at boot; a few seconds keeps uptimes realistic.
  const uptimeAtBoot = 5_000_000_000n;
  return {
    monotonicNs: () => process.hrtime.bigint() - boot + uptimeAtBoot,
    realtimeNs: () => BigInt(Date.now()) * 1_000_000n,
  };
}

export const mathRandom: RandomSource = { nextU32: () => (Math.random() * 0x1_0000_0000) >>> 0 };

export const discardTrace: TraceOutput = { line: () => {} };
