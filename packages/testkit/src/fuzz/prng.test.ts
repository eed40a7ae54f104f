import { describe, expect, it } from 'vitest';
import { Prng, formatSeed, nextSeed, parseSeed } from './prng.js';

describe('fuzz prng', () => {
  it('the same seed gives the same sequence, another seed another one', () => {
    const draw = (seed: number): number[] => {
      const r = new Prng(seed);
      return Array.from({ length: 8 }, () => r.u32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('below, int and pick stay in range', () => {
    const r = new Prng(7);
    for (let i = 0; i < 1000; i++) {
      expect(r.below(5)).toBeLessThan(5);
      const n = r.int(-3, 3);
      expect(n >= -3 && n <= 3).toBe(true);
      expect(['a', 'b']).toContain(r.pick(['a', 'b']));
      expect(r.count(3)).toBeLessThanOrEqual(3);
    }
    expect(r.below(0)).toBe(0);
    expect(() => r.pick([])).toThrow(RangeError);
  });

  it('case seeds chain, and seeds parse and print as hex', () => {
    expect(nextSeed(1)).not.toBe(nextSeed(2));
    expect(nextSeed(0xffffffff)).toBeLessThanOrEqual(0xffffffff);
    expect(parseSeed('0x1F')).toBe(31);
    expect(parseSeed('12')).toBe(12);
    expect(parseSeed('0x100000001')).toBe(1);
    expect(parseSeed('twelve')).toBeUndefined();
    expect(formatSeed(31)).toBe('0x0000001f');
  });
});
