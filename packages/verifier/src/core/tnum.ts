/**
 * Tristate numbers (the kernel's kernel/bpf/tnum.c): what is known about the bits of a 64-bit
 * value. A bit set in `mask` is unknown; a bit clear in `mask` has the value of the same bit of
 * `value`. `value & mask` is always 0. Both are unsigned 64-bit bigints.
 *
 * A tnum stands for the set of values v with (v & ~mask) === value. Every operation returns a
 * tnum containing all results of the operation on members of its inputs (soundness, checked by
 * tnum.test.ts on random members).
 */
import { U64_MAX, fls64, hex, u64 } from './u64.js';

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

const LOW32 = 0xffff_ffffn;

export const tnum = (value: bigint, mask: bigint): Tnum => ({ value, mask });
/** Shared tnums of the small constants programs use most. */
const SMALL: Tnum[] = Array.from({ length: 256 }, (_, i) => ({ value: BigInt(i), mask: 0n }));

export function tnumConst(value: bigint): Tnum {
  if (value >= 0n && value < 256n) return SMALL[Number(value)]!;
  return { value: u64(value), mask: 0n };
}
export const TNUM_UNKNOWN: Tnum = { value: 0n, mask: U64_MAX };
export const TNUM_ZERO: Tnum = { value: 0n, mask: 0n };

export const tnumIsConst = (a: Tnum): boolean => a.mask === 0n;
export const tnumIsUnknown = (a: Tnum): boolean => a.mask === U64_MAX;
export const tnumEquals = (a: Tnum, b: Tnum): boolean => a.value === b.value && a.mask === b.mask;

/** LOW_BITS[n] is 2^n - 1 and HIGH_BITS[n] its complement in 64 bits. */
const LOW_BITS: bigint[] = Array.from({ length: 65 }, (_, n) => (1n << BigInt(n)) - 1n);
const HIGH_BITS: bigint[] = LOW_BITS.map((m) => U64_MAX & ~m);

/** The smallest tnum holding every value of [min, max] (unsigned). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = min ^ max;
  if (chi === 0n) return { value: min, mask: 0n };
  const bits = fls64(chi);
  if (bits > 63) return TNUM_UNKNOWN;
  return { value: min & HIGH_BITS[bits]!, mask: LOW_BITS[bits]! };
}

export const tnumLshift = (a: Tnum, shift: number): Tnum => {
  const s = BigInt(shift);
  return { value: u64(a.value << s), mask: u64(a.mask << s) };
};
export const tnumRshift = (a: Tnum, shift: number): Tnum => {
  const s = BigInt(shift);
  return { value: a.value >> s, mask: a.mask >> s };
};

/** Arithmetic right shift of a 32-bit (`bits` 32) or 64-bit value by `shift`. */
export function tnumArshift(a: Tnum, shift: number, bits: 32 | 64): Tnum {
  const s = BigInt(shift);
  if (bits === 32) {
    return {
      value: BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> s),
      mask: BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> s),
    };
  }
  return { value: u64(BigInt.asIntN(64, a.value) >> s), mask: u64(BigInt.asIntN(64, a.mask) >> s) };
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  if (a.mask === 0n && b.mask === 0n) return { value: u64(a.value + b.value), mask: 0n };
  const sm = u64(a.mask + b.mask);
  const sv = u64(a.value + b.value);
  const sigma = u64(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return { value: sv & ~mu & U64_MAX, mask: mu };
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  if (a.mask === 0n && b.mask === 0n) return { value: u64(a.value - b.value), mask: 0n };
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return { value: dv & ~mu & U64_MAX, mask: mu };
}

export const tnumNeg = (a: Tnum): Tnum => tnumSub(TNUM_ZERO, a);

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return { value: v, mask: alpha & beta & ~v & U64_MAX };
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return { value: v, mask: mu & ~v & U64_MAX };
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}

/** Multiplication by long multiplication over the known and unknown bits of `a`. */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  if (a.mask === 0n && b.mask === 0n) return { value: u64(a.value * b.value), mask: 0n };
  const accV = u64(a.value * b.value);
  let accM: Tnum = TNUM_ZERO;
  let x = a;
  let y = b;
  while (x.value !== 0n || x.mask !== 0n) {
    if (x.value & 1n) accM = tnumAdd(accM, { value: 0n, mask: y.mask });
    else if (x.mask & 1n) accM = tnumAdd(accM, { value: 0n, mask: y.value | y.mask });
    x = tnumRshift(x, 1);
    y = tnumLshift(y, 1);
  }
  return tnumAdd({ value: accV, mask: 0n }, accM);
}

/** The values both `a` and `b` allow (assumes they intersect). */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}

/** The smallest tnum holding both `a` and `b`. */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const chi = a.value ^ b.value;
  const mu = chi | a.mask | b.mask;
  return { value: a.value & ~mu & U64_MAX, mask: mu };
}

/** Keeps the low `size` bytes. */
export function tnumCast(a: Tnum, size: number): Tnum {
  if (size >= 8) return a;
  const m = (1n << BigInt(size * 8)) - 1n;
  return { value: a.value & m, mask: a.mask & m };
}

/** Whether every member is a multiple of `size` (a power of two). */
export const tnumIsAligned = (a: Tnum, size: number): boolean =>
  size === 0 || ((a.value | a.mask) & BigInt(size - 1)) === 0n;

/** Whether every member of `b` is a member of `a`. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if (b.mask & ~a.mask) return false;
  return a.value === (b.value & ~a.mask & U64_MAX);
}

/** The low 32 bits. */
export const tnumSubreg = (a: Tnum): Tnum => ({ value: a.value & LOW32, mask: a.mask & LOW32 });
/** The high 32 bits, low 32 known zero. */
export const tnumClearSubreg = (a: Tnum): Tnum => ({ value: a.value & ~LOW32 & U64_MAX, mask: a.mask & ~LOW32 & U64_MAX });
/** `reg` with its low 32 bits replaced by the low 32 bits of `subreg`. */
export const tnumWithSubreg = (reg: Tnum, subreg: Tnum): Tnum => tnumOr(tnumClearSubreg(reg), tnumSubreg(subreg));
export const tnumSubregIsConst = (a: Tnum): boolean => (a.mask & LOW32) === 0n;

/** `(0x1; 0xff0)`, the kernel's tnum_strn. */
export const tnumString = (a: Tnum): string => `(${hex(a.value)}; ${hex(a.mask)})`;
