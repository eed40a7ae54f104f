import { AluOp } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { boundsSane, coerceSubregToSizeSx, coerceToSize, coerceToSizeSx, markKnown } from './bounds.js';
import { alu32Const, alu64Const } from './concrete-alu.js';
import { RegState } from './reg.js';
import { adjustScalar } from './scalar-alu.js';
import { Rng, abstractOf, describe as show, notMember } from './testing/abstract.js';

const OPS: [string, number, boolean][] = [
  ['add', AluOp.ADD, false], ['sub', AluOp.SUB, false], ['mul', AluOp.MUL, false], ['and', AluOp.AND, false],
  ['or', AluOp.OR, false], ['xor', AluOp.XOR, false], ['lsh', AluOp.LSH, false], ['rsh', AluOp.RSH, false],
  ['arsh', AluOp.ARSH, false], ['div', AluOp.DIV, false], ['mod', AluOp.MOD, false], ['sdiv', AluOp.DIV, true],
  ['smod', AluOp.MOD, true], ['neg', AluOp.NEG, false],
];

describe('scalar ALU transfer functions', () => {
  for (const alu32 of [false, true]) {
    it.each(OPS)(`%s (${alu32 ? 'alu32' : 'alu64'}) holds every concrete result`, (_name, op, signed) => {
      const rng = new Rng(op * 31 + (alu32 ? 1 : 0) + (signed ? 7 : 0));
      for (let i = 0; i < 800; i++) {
        const xs = rng.valueSet();
        // Shift amounts are often small constants, as in real programs.
        const ys = op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH ? [BigInt(rng.int(alu32 ? 32 : 64))] : rng.valueSet();
        const dst = abstractOf(xs);
        const src = abstractOf(ys);
        const before = show(dst);
        adjustScalar(dst, op === AluOp.NEG ? abstractOf([0n]) : src, op, alu32, signed);
        expect(boundsSane(dst), show(dst)).toBe(true);
        for (const x of xs) {
          for (const y of op === AluOp.NEG ? [0n] : ys) {
            const r = alu32 ? alu32Const(op, x, y, signed) : alu64Const(op, x, y, signed);
            const why = notMember(dst, r);
            if (why) expect.fail(`${why}: ${x} op ${y} = ${r} not in ${show(dst)} (dst was ${before}, src ${show(src)})`);
          }
        }
      }
    });
  }

  it('folds constants', () => {
    const dst = new RegState();
    const src = new RegState();
    markKnown(dst, 10n);
    markKnown(src, 3n);
    adjustScalar(dst, src, AluOp.DIV, false);
    expect(dst.varOff).toEqual({ value: 3n, mask: 0n });
  });

  it('keeps a range for unsigned modulo by a constant', () => {
    const dst = abstractOf([0n, 1000n, 77n]);
    adjustScalar(dst, abstractOf([16n]), AluOp.MOD, false);
    expect([dst.umin, dst.umax]).toEqual([0n, 15n]);
  });
});

describe('truncation and sign extension', () => {
  it.each([1, 2, 4])('coerce to %i bytes (zero and sign extension) is sound', (size) => {
    const rng = new Rng(size);
    for (let i = 0; i < 2000; i++) {
      const xs = rng.valueSet();
      const zx = abstractOf(xs);
      coerceToSize(zx, size);
      const sx = abstractOf(xs);
      coerceToSizeSx(sx, size);
      for (const x of xs) {
        const bits = BigInt(size * 8);
        expect(notMember(zx, BigInt.asUintN(Number(bits), x)), show(zx)).toBeUndefined();
        expect(notMember(sx, BigInt.asUintN(64, BigInt.asIntN(Number(bits), x))), show(sx)).toBeUndefined();
      }
      if (size < 4) {
        const sub = abstractOf(xs);
        coerceSubregToSizeSx(sub, size);
        for (const x of xs) {
          const v = BigInt.asUintN(32, BigInt.asIntN(size * 8, x));
          expect(notMember(sub, v), show(sub)).toBeUndefined();
        }
      }
    }
  });
});
