import { describe, expect, it } from 'vitest';
import { Random } from './random.js';
import { formatDuration, parseDuration } from './time.js';

describe('world time', () => {
  it.each([
    ['10ms', 10_000_000],
    ['1.5s', 1_500_000_000],
    ['250us', 250_000],
    ['7ns', 7],
    ['0', 0],
    [0, 0],
  ] as const)('parseDuration(%s) = %d ns', (text, ns) => {
    expect(parseDuration(text)).toBe(ns);
  });

  it.each(['10', '5 min', 'ms', '-1ms', 12])('parseDuration rejects %s', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formatDuration picks a readable unit', () => {
    expect(formatDuration(2_000_000_000)).toBe('2s');
    expect(formatDuration(1_500_000)).toBe('1.5ms');
    expect(formatDuration(20_000)).toBe('20us');
    expect(formatDuration(15)).toBe('15ns');
  });
});

describe('world random', () => {
  it('the same seed gives the same sequence, another seed another', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 8 }, () => a.u32());
    expect(Array.from({ length: 8 }, () => b.u32())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(seqA);
  });

  it('int stays in its inclusive range and reaches both ends', () => {
    const r = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(r.int(3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('weighted never picks a zero weight and follows the proportions roughly', () => {
    const r = new Random(7);
    const counts = [0, 0, 0];
    for (let i = 0; i < 10_000; i++) counts[r.weighted([3, 0, 1])]!++;
    expect(counts[1]).toBe(0);
    expect(counts[0]! / counts[2]!).toBeGreaterThan(2.5);
    expect(counts[0]! / counts[2]!).toBeLessThan(3.5);
  });
});
