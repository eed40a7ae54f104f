/**
 * Test support for the abstract domain: registers that stand for a given set of concrete values,
 * and a membership check. Used by the soundness tests of tnum, bounds, ALU and branch refinement.
 */
import { markKnown, markScalarUnknown, regBoundsSync } from '../bounds.js';
import { RegState } from '../reg.js';
import { tnumUnion } from '../tnum.js';
import { s64 } from '../u64.js';

/** A small deterministic PRNG (xorshift64*). */
export class Rng {
  private s: bigint;
  constructor(seed: number) {
    this.s = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
  }
  next64(): bigint {
    let x = this.s;
    x ^= x >> 12n;
    x ^= (x << 25n) & 0xffff_ffff_ffff_ffffn;
    x ^= x >> 27n;
    this.s = x;
    return (x * 0x2545f4914f6cdd1dn) & 0xffff_ffff_ffff_ffffn;
  }
  int(n: number): number {
    return Number(this.next64() % BigInt(n));
  }
  /** An "interesting" 64-bit value: small, near a power of two, negative, or random. */
  value(): bigint {
    const k = this.int(6);
    const r = this.next64();
    if (k === 0) return BigInt(this.int(20));
    if (k === 1) return BigInt.asUintN(64, (1n << BigInt(this.int(64))) + BigInt(this.int(5)) - 2n);
    if (k === 2) return BigInt.asUintN(64, -BigInt(this.int(300)));
    if (k === 3) return r & 0xffn;
    if (k === 4) return r & 0xffff_ffffn;
    return r;
  }
  /** A set of 1..5 values related to each other (so the abstraction is not always unknown). */
  valueSet(): bigint[] {
    const base = this.value();
    const n = 1 + this.int(5);
    const out = [base];
    for (let i = 1; i < n; i++) {
      const k = this.int(3);
      if (k === 0) out.push(BigInt.asUintN(64, base + BigInt(this.int(40)) - 20n));
      else if (k === 1) out.push(base ^ (1n << BigInt(this.int(64))));
      else out.push(this.value());
    }
    return out;
  }
}

/** The tightest register (in this domain) holding every value of `values`. */
export function abstractOf(values: readonly bigint[]): RegState {
  const reg = new RegState();
  markScalarUnknown(reg);
  markKnown(reg, values[0]!);
  for (const v of values.slice(1)) {
    const k = new RegState();
    markKnown(k, v);
    reg.varOff = tnumUnion(reg.varOff, k.varOff);
    reg.umin = reg.umin < k.umin ? reg.umin : k.umin;
    reg.umax = reg.umax > k.umax ? reg.umax : k.umax;
    reg.smin = reg.smin < k.smin ? reg.smin : k.smin;
    reg.smax = reg.smax > k.smax ? reg.smax : k.smax;
    reg.u32min = Math.min(reg.u32min, k.u32min);
    reg.u32max = Math.max(reg.u32max, k.u32max);
    reg.s32min = Math.min(reg.s32min, k.s32min);
    reg.s32max = Math.max(reg.s32max, k.s32max);
  }
  regBoundsSync(reg);
  return reg;
}

/** Why `v` is not a member of `reg`, or undefined when it is. */
export function notMember(reg: RegState, v: bigint): string | undefined {
  const u = BigInt.asUintN(64, v);
  const lo = Number(u & 0xffff_ffffn);
  const los = lo | 0;
  if ((u & ~reg.varOff.mask & 0xffff_ffff_ffff_ffffn) !== reg.varOff.value) return 'tnum';
  if (u < reg.umin || u > reg.umax) return 'u64';
  if (s64(u) < reg.smin || s64(u) > reg.smax) return 's64';
  if (lo < reg.u32min || lo > reg.u32max) return 'u32';
  if (los < reg.s32min || los > reg.s32max) return 's32';
  return undefined;
}

export function describe(reg: RegState): string {
  return `var_off=(0x${reg.varOff.value.toString(16)}; 0x${reg.varOff.mask.toString(16)}) u64=[${reg.umin},${reg.umax}] s64=[${reg.smin},${reg.smax}] u32=[${reg.u32min},${reg.u32max}] s32=[${reg.s32min},${reg.s32max}]`;
}
