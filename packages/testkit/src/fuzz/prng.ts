/**
 * A small seeded pseudo-random generator for fuzzing: the same seed gives the same sequence on
 * every machine, so a seed printed with a finding reproduces it. Not for cryptography.
 */

/** Mixes a 32-bit seed into the next one (a splitmix-style finaliser): how a run derives its case seeds. */
export function nextSeed(seed: number): number {
  let z = (seed + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Parses a seed as decimal or `0x` hex into an unsigned 32-bit number; undefined if it is neither. */
export function parseSeed(text: string): number | undefined {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) return undefined;
  return Number(BigInt(t) & 0xffffffffn);
}

/** A seed as the reports print it: `0x` and eight hex digits. */
export const formatSeed = (seed: number): string => `0x${(seed >>> 0).toString(16).padStart(8, '0')}`;

/** mulberry32 over a 32-bit state: fast, small, and good enough to pick mutations. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform number in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** A uniform integer in [0, n); 0 when n <= 0. */
  below(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.float() * n);
  }

  /** A uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array. Throws RangeError on an empty one. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Prng.pick: no items');
    return items[this.below(items.length)]!;
  }

  /** A small count skewed towards 1: 1 with probability 1/2, 2 with 1/4, … up to max. */
  count(max: number): number {
    let n = 1;
    while (n < max && this.chance(0.5)) n++;
    return n;
  }

  /** n random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}
