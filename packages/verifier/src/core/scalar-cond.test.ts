import { JmpOp } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { boundsSane } from './bounds.js';
import { JSET_NOT, refineCond, reverseCond, scalarBranchTaken } from './scalar-cond.js';
import { Rng, abstractOf, describe as show, notMember } from './testing/abstract.js';

function holds(op: number, a: bigint, b: bigint, is32: boolean): boolean {
  const bits = is32 ? 32 : 64;
  const ua = BigInt.asUintN(bits, a);
  const ub = BigInt.asUintN(bits, b);
  const sa = BigInt.asIntN(bits, a);
  const sb = BigInt.asIntN(bits, b);
  switch (op) {
    case JmpOp.JEQ: return ua === ub;
    case JmpOp.JNE: return ua !== ub;
    case JmpOp.JSET: return (ua & ub) !== 0n;
    case JSET_NOT: return (ua & ub) === 0n;
    case JmpOp.JGT: return ua > ub;
    case JmpOp.JGE: return ua >= ub;
    case JmpOp.JLT: return ua < ub;
    case JmpOp.JLE: return ua <= ub;
    case JmpOp.JSGT: return sa > sb;
    case JmpOp.JSGE: return sa >= sb;
    case JmpOp.JSLT: return sa < sb;
    case JmpOp.JSLE: return sa <= sb;
    default: throw new Error('op');
  }
}

const CONDS = Object.entries({
  jeq: JmpOp.JEQ, jne: JmpOp.JNE, jset: JmpOp.JSET, jgt: JmpOp.JGT, jge: JmpOp.JGE, jlt: JmpOp.JLT, jle: JmpOp.JLE,
  jsgt: JmpOp.JSGT, jsge: JmpOp.JSGE, jslt: JmpOp.JSLT, jsle: JmpOp.JSLE,
});

describe('scalar conditional jumps', () => {
  for (const is32 of [false, true]) {
    it.each(CONDS)(`%s (${is32 ? 'jmp32' : 'jmp'}): decided outcomes are right and both edges keep their members`, (_n, op) => {
      const rng = new Rng(op + (is32 ? 3 : 0));
      for (let i = 0; i < 800; i++) {
        const xs = rng.valueSet();
        const ys = rng.int(2) ? [rng.value()] : rng.valueSet();
        const a = abstractOf(xs);
        const b = abstractOf(ys);
        const taken = scalarBranchTaken(a, b, op, is32);
        for (const x of xs) {
          for (const y of ys) {
            const h = holds(op, x, y, is32);
            if (taken === 1) expect(h, `${x} ${y}`).toBe(true);
            if (taken === 0) expect(h, `${x} ${y}`).toBe(false);
          }
        }
        if (taken !== -1) continue;
        for (const edge of [op, reverseCond(op)]) {
          const ra = abstractOf(xs);
          const rb = abstractOf(ys);
          refineCond(ra, rb, edge, is32);
          for (const x of xs) {
            for (const y of ys) {
              if (!holds(edge, x, y, is32)) continue;
              expect(boundsSane(ra)).toBe(true);
              expect(notMember(ra, x), `${x} after ${edge}: ${show(ra)}`).toBeUndefined();
              expect(notMember(rb, y), `${y} after ${edge}: ${show(rb)}`).toBeUndefined();
            }
          }
        }
      }
    });
  }

  it('learns a bound on the taken edge', () => {
    const a = abstractOf([0n, 0xffffn]);
    const b = abstractOf([10n]);
    refineCond(a, b, JmpOp.JLT, false);
    expect([a.umin, a.umax]).toEqual([0n, 9n]);
  });
});
