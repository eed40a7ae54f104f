import { describe, expect, it } from 'vitest';
import { summarizeBatch, summaryWords } from './batch-summary.js';

/** A memory of u32 words: contexts of 2 words from word 0 (word 1: the bucket field), r0s from byte 256, counts at 512, list at 640. */
function memory(r0s: readonly number[], fields: readonly number[]) {
  const u32 = new Uint32Array(256).fill(0xdead);
  r0s.forEach((r0, i) => {
    u32[64 + 2 * i] = r0;
    u32[64 + 2 * i + 1] = 7;
    u32[2 * i + 1] = fields[i]!;
  });
  return u32;
}

describe('batch summary', () => {
  it('batch summary - common r0s are counted by their field (the last bucket takes those beyond), the others listed in order', () => {
    const u32 = memory([1, 1, 3, 1, 2, 1, 4, 1], [0, 1, 0, 2, 1, 9, 0, 1]);
    summarizeBatch(u32, 0, 8, 8, 256, { common: 1, at: 512, list: 640, field: 4, buckets: 2 });
    const counts = [...u32.subarray(128, 128 + summaryWords(2))];
    // listed 3; bucket 0: frame 0; bucket 1: frames 1, 7; beyond: frames 3 (2) and 5 (9).
    expect(counts).toEqual([3, 1, 2, 2]);
    expect([...u32.subarray(160, 163)]).toEqual([2, 4, 6]);
    expect(u32[163]).toBe(0xdead);
  });

  it('batch summary - a batch of only common r0s lists none; counts of an earlier batch are cleared', () => {
    const u32 = memory([2, 2, 2], [0, 0, 0]);
    summarizeBatch(u32, 0, 8, 3, 256, { common: 1, at: 512, list: 640, field: 4, buckets: 1 });
    expect([...u32.subarray(128, 131)]).toEqual([3, 0, 0]);
    summarizeBatch(u32, 0, 8, 3, 256, { common: 2, at: 512, list: 640, field: 4, buckets: 1 });
    expect([...u32.subarray(128, 131)]).toEqual([0, 3, 0]);
    expect(u32[160]).toBe(0);
  });
});
