import { describe, expect, it } from 'vitest';
import {
  tnumAdd, tnumAnd, tnumArshift, tnumConst, tnumIn, tnumIntersect, tnumIsAligned, tnumLshift, tnumMul, tnumNeg, tnumOr,
  tnumRange, tnumRshift, tnumString, tnumSub, tnumUnion, tnumXor, type Tnum,
} from './tnum.js';
import { Rng } from './testing/abstract.js';

const member = (t: Tnum, v: bigint): boolean => (BigInt.asUintN(64, v) & ~t.mask & 0xffff_ffff_ffff_ffffn) === t.value;
const w = (v: bigint) => BigInt.asUintN(64, v);

/** A tnum holding a random set of values, and the values. */
function sample(rng: Rng): { t: Tnum; values: bigint[] } {
  const values = rng.valueSet();
  let t = tnumConst(values[0]!);
  for (const v of values.slice(1)) t = tnumUnion(t, tnumConst(v));
  return { t, values };
}

describe('tnum', () => {
  it('prints as the kernel does', () => {
    expect(tnumString(tnumRange(0n, 255n))).toBe('(0x0; 0xff)');
    expect(tnumString(tnumConst(-1n))).toBe('(0xffffffffffffffff; 0x0)');
  });

  it('range covers its bounds and nothing below a known prefix', () => {
    expect(tnumRange(16n, 31n)).toEqual({ value: 16n, mask: 15n });
    expect(tnumRange(0n, 1n << 63n).mask).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('alignment and containment', () => {
    expect(tnumIsAligned({ value: 8n, mask: 0xf0n }, 8)).toBe(true);
    expect(tnumIsAligned({ value: 8n, mask: 0xf4n }, 8)).toBe(false);
    expect(tnumIn({ value: 0n, mask: 0xffn }, tnumConst(7n))).toBe(true);
    expect(tnumIn(tnumConst(7n), { value: 0n, mask: 0xffn })).toBe(false);
  });

  const binary: [string, (a: Tnum, b: Tnum) => Tnum, (a: bigint, b: bigint) => bigint][] = [
    ['add', tnumAdd, (a, b) => w(a + b)],
    ['sub', tnumSub, (a, b) => w(a - b)],
    ['mul', tnumMul, (a, b) => w(a * b)],
    ['and', tnumAnd, (a, b) => a & b],
    ['or', tnumOr, (a, b) => a | b],
    ['xor', tnumXor, (a, b) => a ^ b],
  ];
  it.each(binary)('%s is sound on random members', (_name, op, concrete) => {
    const rng = new Rng(7);
    for (let i = 0; i < 1500; i++) {
      const a = sample(rng);
      const b = sample(rng);
      const r = op(a.t, b.t);
      expect(r.value & r.mask).toBe(0n);
      for (const x of a.values) for (const y of b.values) expect(member(r, concrete(x, y))).toBe(true);
    }
  });

  it('shifts, negation and intersection are sound', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 2000; i++) {
      const a = sample(rng);
      const s = rng.int(64);
      for (const x of a.values) {
        expect(member(tnumLshift(a.t, s), w(x << BigInt(s)))).toBe(true);
        expect(member(tnumRshift(a.t, s), x >> BigInt(s))).toBe(true);
        expect(member(tnumArshift(a.t, s, 64), w(BigInt.asIntN(64, x) >> BigInt(s)))).toBe(true);
        expect(member(tnumNeg(a.t), w(-x))).toBe(true);
        expect(member(tnumIntersect(a.t, tnumConst(x)), x)).toBe(true);
      }
    }
  });
});
