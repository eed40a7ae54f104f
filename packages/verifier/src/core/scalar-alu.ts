/**
 * Transfer functions of arithmetic on scalars (the kernel's adjust_scalar_min_max_vals): given
 * what is known of `dst` and `src`, what is known of `dst OP src`, for ALU64 and ALU32.
 *
 * Contract: `dst` and `src` are SCALAR registers with sane bounds; `dst` is updated in place to
 * a sound description of every possible result. Operations whose result the kernel does not
 * track (division, modulo, shifts by non-constants) give an unknown scalar, except that constant
 * operands are always folded and unsigned division/modulo by a positive constant keep a range.
 */
import { AluOp } from '@bpfhive/uapi';
import {
  boundsSane, isConst, isConst32, markKnown, markScalarUnknown, markUnbounded32, markUnbounded64, regBoundsSync, updateBounds,
  zext32to64,
} from './bounds.js';
import { alu32Const, alu64Const } from './concrete-alu.js';
import type { RegState } from './reg.js';
import {
  tnumAdd, tnumAnd, tnumArshift, tnumLshift, tnumMul, tnumNeg, tnumOr, tnumRshift, tnumSub, tnumSubreg, tnumXor,
} from './tnum.js';
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, s64 } from './u64.js';

const U32B = 0xffff_ffffn;

/** Whether `src` is one known value in the width the operation uses. */
function srcIsConst(src: RegState, alu32: boolean): boolean {
  if (alu32) return isConst32(src) && src.s32min === src.s32max && src.u32min === src.u32max;
  return isConst(src) && src.smin === src.smax && src.umin === src.umax;
}

/** Applies `op` (an AluOp other than MOV and END) to `dst`. `signed` selects sdiv/smod (off 1). */
export function adjustScalar(dst: RegState, src: RegState, op: number, alu32: boolean, signed = false): void {
  // Bounds that contradict themselves come from dead branches: the kernel gives up on them.
  if (!boundsSane(src) || (isConst(src) && (src.smin !== src.smax || src.umin !== src.umax))) {
    markScalarUnknown(dst);
    return;
  }
  const dstConst = alu32 ? isConst32(dst) : isConst(dst);
  if (dstConst && (op === AluOp.NEG || (alu32 ? isConst32(src) : isConst(src)))) {
    const v = alu32
      ? alu32Const(op, dst.varOff.value, src.varOff.value, signed)
      : alu64Const(op, dst.varOff.value, src.varOff.value, signed);
    markKnown(dst, v);
    return;
  }
  const srcConst = srcIsConst(src, alu32);
  switch (op) {
    case AluOp.ADD:
      add32(dst, src);
      add64(dst, src);
      dst.varOff = tnumAdd(dst.varOff, src.varOff);
      break;
    case AluOp.SUB:
      sub32(dst, src);
      sub64(dst, src);
      dst.varOff = tnumSub(dst.varOff, src.varOff);
      break;
    case AluOp.NEG: {
      const old = dst.varOff;
      const zero = { s32min: 0, s32max: 0, u32min: 0, u32max: 0, smin: 0n, smax: 0n, umin: 0n, umax: 0n };
      const operand = { ...snapshot(dst) };
      Object.assign(dst, zero);
      sub32(dst, operand);
      sub64(dst, operand);
      dst.varOff = tnumNeg(old);
      break;
    }
    case AluOp.MUL:
      dst.varOff = tnumMul(dst.varOff, src.varOff);
      mul32(dst, src);
      mul64(dst, src);
      break;
    case AluOp.AND:
      dst.varOff = tnumAnd(dst.varOff, src.varOff);
      bitwise32(dst, src, op);
      bitwise64(dst, src, op);
      break;
    case AluOp.OR:
      dst.varOff = tnumOr(dst.varOff, src.varOff);
      bitwise32(dst, src, op);
      bitwise64(dst, src, op);
      break;
    case AluOp.XOR:
      dst.varOff = tnumXor(dst.varOff, src.varOff);
      bitwise32(dst, src, op);
      bitwise64(dst, src, op);
      break;
    case AluOp.LSH:
    case AluOp.RSH:
    case AluOp.ARSH: {
      const amount = alu32 ? src.u32max : Number(src.umax);
      if (!srcConst || amount >= (alu32 ? 32 : 64)) {
        markScalarUnknown(dst);
        return;
      }
      if (op === AluOp.LSH) (alu32 ? lsh32 : lsh64)(dst, amount);
      else if (op === AluOp.RSH) (alu32 ? rsh32 : rsh64)(dst, amount);
      else (alu32 ? arsh32 : arsh64)(dst, amount);
      break;
    }
    case AluOp.DIV:
    case AluOp.MOD:
      if (signed || !srcConst || (alu32 ? src.u32min === 0 : src.umin === 0n)) {
        markScalarUnknown(dst);
        return;
      }
      (alu32 ? divmod32 : divmod64)(dst, alu32 ? BigInt(src.u32min) : src.umin, op === AluOp.DIV);
      break;
    default:
      markScalarUnknown(dst);
      return;
  }
  if (alu32) zext32to64(dst);
  regBoundsSync(dst);
}

type Bounds = Pick<RegState, 'smin' | 'smax' | 'umin' | 'umax' | 's32min' | 's32max' | 'u32min' | 'u32max'>;

const snapshot = (r: RegState): Bounds => ({
  smin: r.smin, smax: r.smax, umin: r.umin, umax: r.umax, s32min: r.s32min, s32max: r.s32max, u32min: r.u32min, u32max: r.u32max,
});

function add32(dst: Bounds, src: Bounds): void {
  const smin = dst.s32min + src.s32min;
  const smax = dst.s32max + src.s32max;
  if (smin < S32_MIN || smax > S32_MAX) {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  } else {
    dst.s32min = smin;
    dst.s32max = smax;
  }
  const umin = dst.u32min + src.u32min;
  const umax = dst.u32max + src.u32max;
  // Either no addition overflows or all do (then every result is 2^32 less); else anything.
  if (umin > U32_MAX === umax > U32_MAX) {
    dst.u32min = umin >>> 0;
    dst.u32max = umax >>> 0;
  } else {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  }
}

function add64(dst: Bounds, src: Bounds): void {
  const smin = dst.smin + src.smin;
  const smax = dst.smax + src.smax;
  if (smin < S64_MIN || smax > S64_MAX) {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  } else {
    dst.smin = smin;
    dst.smax = smax;
  }
  const umin = dst.umin + src.umin;
  const umax = dst.umax + src.umax;
  if (umin > U64_MAX === umax > U64_MAX) {
    dst.umin = umin & U64_MAX;
    dst.umax = umax & U64_MAX;
  } else {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  }
}

function sub32(dst: Bounds, src: Bounds): void {
  const smin = dst.s32min - src.s32max;
  const smax = dst.s32max - src.s32min;
  if (smin < S32_MIN || smax > S32_MAX) {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  } else {
    dst.s32min = smin;
    dst.s32max = smax;
  }
  const umin = dst.u32min - src.u32max;
  const umax = dst.u32max - src.u32min;
  if (umin < 0 === umax < 0) {
    dst.u32min = umin >>> 0;
    dst.u32max = umax >>> 0;
  } else {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  }
}

function sub64(dst: Bounds, src: Bounds): void {
  const smin = dst.smin - src.smax;
  const smax = dst.smax - src.smin;
  if (smin < S64_MIN || smax > S64_MAX) {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  } else {
    dst.smin = smin;
    dst.smax = smax;
  }
  const umin = dst.umin - src.umax;
  const umax = dst.umax - src.umin;
  if (umin < 0n === umax < 0n) {
    dst.umin = umin & U64_MAX;
    dst.umax = umax & U64_MAX;
  } else {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  }
}

function mul32(dst: Bounds, src: Bounds): void {
  const umin = BigInt(dst.u32min) * BigInt(src.u32min);
  const umax = BigInt(dst.u32max) * BigInt(src.u32max);
  if (umax > U32B) {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  } else {
    dst.u32min = Number(umin);
    dst.u32max = Number(umax);
  }
  const p = [dst.s32min * src.s32min, dst.s32min * src.s32max, dst.s32max * src.s32min, dst.s32max * src.s32max];
  const lo = Math.min(...p);
  const hi = Math.max(...p);
  // Products of s32 values are exact in doubles up to 2^62; beyond S32 they overflow anyway.
  if (lo < S32_MIN || hi > S32_MAX || !Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  } else {
    dst.s32min = lo;
    dst.s32max = hi;
  }
}

function mul64(dst: Bounds, src: Bounds): void {
  const umin = dst.umin * src.umin;
  const umax = dst.umax * src.umax;
  if (umax > U64_MAX) {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  } else {
    dst.umin = umin;
    dst.umax = umax;
  }
  const p = [dst.smin * src.smin, dst.smin * src.smax, dst.smax * src.smin, dst.smax * src.smax];
  let lo = p[0]!;
  let hi = p[0]!;
  for (const x of p) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (lo < S64_MIN || hi > S64_MAX) {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  } else {
    dst.smin = lo;
    dst.smax = hi;
  }
}

/** AND/OR/XOR on the 32-bit bounds; the tnum (already computed into dst) gives the limits. */
function bitwise32(dst: RegState, src: RegState, op: number): void {
  const t = tnumSubreg(dst.varOff);
  const tv = Number(t.value);
  const tmax = Number(t.value | t.mask);
  if (op === AluOp.AND) {
    dst.u32min = tv;
    dst.u32max = Math.min(dst.u32max, src.u32max);
  } else if (op === AluOp.OR) {
    dst.u32min = Math.max(dst.u32min, src.u32min);
    dst.u32max = tmax;
  } else {
    dst.u32min = tv;
    dst.u32max = tmax;
  }
  if ((dst.u32min | 0) <= (dst.u32max | 0)) {
    dst.s32min = dst.u32min | 0;
    dst.s32max = dst.u32max | 0;
  } else {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  }
}

function bitwise64(dst: RegState, src: RegState, op: number): void {
  const t = dst.varOff;
  if (op === AluOp.AND) {
    dst.umin = t.value;
    dst.umax = dst.umax < src.umax ? dst.umax : src.umax;
  } else if (op === AluOp.OR) {
    dst.umin = dst.umin > src.umin ? dst.umin : src.umin;
    dst.umax = t.value | t.mask;
  } else {
    dst.umin = t.value;
    dst.umax = t.value | t.mask;
  }
  if (s64(dst.umin) <= s64(dst.umax)) {
    dst.smin = s64(dst.umin);
    dst.smax = s64(dst.umax);
  } else {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  }
  updateBounds(dst);
}

function lsh64(dst: RegState, n: number): void {
  const s = BigInt(n);
  // `x << 32` of a non-negative s32 is a known-sign value: a common sign-extension idiom.
  dst.smax = n === 32 && dst.s32max >= 0 ? BigInt(dst.s32max) << 32n : S64_MAX;
  dst.smin = n === 32 && dst.s32min >= 0 ? BigInt(dst.s32min) << 32n : S64_MIN;
  if (dst.umax > 1n << BigInt(63 - n)) {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  } else {
    dst.umin <<= s;
    dst.umax <<= s;
  }
  markUnbounded32(dst);
  dst.varOff = tnumLshift(dst.varOff, n);
  updateBounds(dst);
}

function lsh32(dst: RegState, n: number): void {
  dst.s32min = S32_MIN;
  dst.s32max = S32_MAX;
  if (dst.u32max > 2 ** (31 - n)) {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  } else {
    dst.u32min = dst.u32min * 2 ** n;
    dst.u32max = dst.u32max * 2 ** n;
  }
  dst.varOff = tnumSubreg(tnumLshift(tnumSubreg(dst.varOff), n));
  markUnbounded64(dst);
  updateBounds(dst);
}

function rsh64(dst: RegState, n: number): void {
  const s = BigInt(n);
  dst.smin = S64_MIN;
  dst.smax = S64_MAX;
  dst.varOff = tnumRshift(dst.varOff, n);
  dst.umin >>= s;
  dst.umax >>= s;
  markUnbounded32(dst);
  updateBounds(dst);
}

function rsh32(dst: RegState, n: number): void {
  dst.s32min = S32_MIN;
  dst.s32max = S32_MAX;
  dst.varOff = tnumRshift(tnumSubreg(dst.varOff), n);
  dst.u32min = dst.u32min >>> n;
  dst.u32max = dst.u32max >>> n;
  markUnbounded64(dst);
  updateBounds(dst);
}

function arsh64(dst: RegState, n: number): void {
  const s = BigInt(n);
  dst.smin >>= s;
  dst.smax >>= s;
  dst.varOff = tnumArshift(dst.varOff, n, 64);
  dst.umin = 0n;
  dst.umax = U64_MAX;
  markUnbounded32(dst);
  updateBounds(dst);
}

function arsh32(dst: RegState, n: number): void {
  dst.s32min >>= n;
  dst.s32max >>= n;
  dst.varOff = tnumArshift(tnumSubreg(dst.varOff), n, 32);
  dst.u32min = 0;
  dst.u32max = U32_MAX;
  markUnbounded64(dst);
  updateBounds(dst);
}

function divmod64(dst: RegState, c: bigint, div: boolean): void {
  if (div) {
    dst.umin /= c;
    dst.umax /= c;
  } else if (dst.umax >= c) {
    dst.umin = 0n;
    dst.umax = c - 1n;
  }
  const { umin, umax } = dst;
  markScalarUnknown(dst);
  dst.umin = umin;
  dst.umax = umax;
}

function divmod32(dst: RegState, c: bigint, div: boolean): void {
  let umin = BigInt(dst.u32min);
  let umax = BigInt(dst.u32max);
  if (div) {
    umin /= c;
    umax /= c;
  } else if (umax >= c) {
    umin = 0n;
    umax = c - 1n;
  }
  markScalarUnknown(dst);
  dst.u32min = Number(umin);
  dst.u32max = Number(umax);
}
