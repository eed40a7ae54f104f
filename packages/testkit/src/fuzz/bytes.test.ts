import { describe, expect, it } from 'vitest';
import { mutateBytes } from './bytes.js';
import { Prng } from './prng.js';

const input = Uint8Array.from({ length: 64 }, (_, i) => i);

describe('fuzz bytes - mutateBytes', () => {
  it('never changes its input, and is deterministic per seed', () => {
    const before = input.slice();
    const a = mutateBytes(new Prng(1), input, { corpus: [input] });
    expect(input).toEqual(before);
    expect(mutateBytes(new Prng(1), input, { corpus: [input] })).toEqual(a);
  });

  it('changes the input in most cases, and changes the length now and then', () => {
    const r = new Prng(2);
    const outs = Array.from({ length: 200 }, () => mutateBytes(r, input));
    expect(outs.filter((o) => o.length === input.length && o.every((b, i) => b === input[i])).length).toBeLessThan(40);
    expect(outs.some((o) => o.length !== input.length)).toBe(true);
  });

  it('keeps point edits inside the ranges when only point mutators run', () => {
    const r = new Prng(3);
    const weights = { insert: 0, delete: 0, splice: 0, duplicate: 0, truncate: 0 };
    for (let i = 0; i < 200; i++) {
      const out = mutateBytes(r, input, { ranges: [[16, 24]], align: 4, weights });
      expect(out.length).toBe(input.length);
      out.forEach((b, at) => {
        if (at < 16 || at >= 24) expect(b).toBe(input[at]);
      });
    }
  });

  it('with unit 8, insertions and deletions mostly keep whole slots', () => {
    const r = new Prng(4);
    const weights = { flip: 0, interesting: 0, random: 0, splice: 0, duplicate: 0, truncate: 0 };
    const lengths = Array.from({ length: 200 }, () => mutateBytes(r, input, { unit: 8, maxEdits: 1, weights }).length);
    expect(lengths.filter((n) => n % 8 === 0).length).toBeGreaterThan(100);
  });

  it('mutates an empty input without throwing', () => {
    const r = new Prng(5);
    for (let i = 0; i < 100; i++) expect(mutateBytes(r, new Uint8Array(0))).toBeInstanceOf(Uint8Array);
  });
});
