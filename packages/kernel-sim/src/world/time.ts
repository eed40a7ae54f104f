/**
 * Virtual time. Every world event carries a time in nanoseconds since the world started, as a
 * plain number (exact up to 2^53 ns, about 104 days). Nothing in the world reads a real clock.
 */

/** Nanoseconds per unit, for durations written as `10ms`, `250us`, `1.5s`. */
export const NS_PER = { ns: 1, us: 1_000, µs: 1_000, ms: 1_000_000, s: 1_000_000_000 } as const;

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s)\s*$/;

/**
 * Parses a duration such as `10ms`, `1.5s`, `250us` or `0` into whole nanoseconds.
 * Returns `undefined` for anything else (a unit is required unless the value is 0).
 */
export function parseDuration(text: string | number): number | undefined {
  if (text === 0 || text === '0') return 0;
  if (typeof text !== 'string') return undefined;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * NS_PER[m[2] as keyof typeof NS_PER]);
}

/** A duration in the largest unit that keeps it whole-ish: `1.5ms`, `20us`, `3s`. */
export function formatDuration(ns: number): string {
  if (ns !== 0 && ns % NS_PER.s === 0) return `${ns / NS_PER.s}s`;
  if (ns >= NS_PER.ms) return `${+(ns / NS_PER.ms).toFixed(3)}ms`;
  if (ns >= NS_PER.us) return `${+(ns / NS_PER.us).toFixed(3)}us`;
  return `${ns}ns`;
}
