/**
 * A small seeded pseudo-random number generator (sfc32, seeded through splitmix32), so that a
 * seed names one program and one input forever, on every platform and Node version.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = splitmix();
    this.#b = splitmix();
    this.#c = splitmix();
    this.#d = splitmix();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** The next unsigned 32-bit number. */
  next(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`rng: below(${n})`);
    return Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  /** An integer in [lo, hi], both included. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('rng: pick from nothing');
    return items[this.below(items.length)]!;
  }

  /** A key of `weights` with probability proportional to its weight (weights >= 0, some > 0). */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let x = (this.next() / 0x1_0000_0000) * total;
    for (const [key, w] of entries) {
      if (x < w) return key;
      x -= w;
    }
    const last = entries.filter(([, w]) => w > 0).pop();
    if (last === undefined) throw new RangeError('rng: no positive weight');
    return last[0];
  }

  /** A signed 32-bit number. */
  int32(): number {
    return this.next() | 0;
  }

  /** An unsigned 64-bit number. */
  u64(): bigint {
    return (BigInt(this.next()) << 32n) | BigInt(this.next());
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }
}
