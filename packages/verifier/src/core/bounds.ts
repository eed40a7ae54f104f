/**
 * Scalar bounds: the four ranges (u64, s64, u32, s32) and the tnum of a register, and the
 * kernel's rules that make them agree (reg_bounds_sync: __update_reg_bounds, __reg_deduce_bounds,
 * __reg_bound_offset). Every function mutates the register it is given and keeps it sound: the
 * set of values it stands for never loses a member.
 */
import type { RegState } from './reg.js';
import { RegType } from './reg-type.js';
import {
  TNUM_UNKNOWN, type Tnum, tnumCast, tnumClearSubreg, tnumConst, tnumIntersect, tnumIsConst, tnumOr, tnumRange, tnumSubreg,
} from './tnum.js';
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, bmax, bmin, hi32, lo32, lo32s, s64, u64 } from './u64.js';

const LOW32 = 0xffff_ffffn;
const S32MINB = -0x8000_0000n;
const S32MAXB = 0x7fff_ffffn;

/** The register holds exactly `value` (64-bit, any sign); type and other fields are untouched. */
export function markKnown(reg: RegState, value: bigint): void {
  const v = value >= 0n && value <= U64_MAX ? value : u64(value);
  reg.varOff = tnumConst(v);
  reg.smin = reg.smax = s64(v);
  reg.umin = reg.umax = v;
  reg.s32min = reg.s32max = lo32s(v);
  reg.u32min = reg.u32max = lo32(v);
}

/** Only the low 32 bits are known to be `value`. */
export function markKnown32(reg: RegState, value: number): void {
  reg.varOff = tnumOr(tnumClearSubreg(reg.varOff), tnumConst(BigInt(value >>> 0)));
  reg.s32min = reg.s32max = value | 0;
  reg.u32min = reg.u32max = value >>> 0;
}

export function markUnbounded64(reg: RegState): void {
  reg.smin = S64_MIN;
  reg.smax = S64_MAX;
  reg.umin = 0n;
  reg.umax = U64_MAX;
}

export function markUnbounded32(reg: RegState): void {
  reg.s32min = S32_MIN;
  reg.s32max = S32_MAX;
  reg.u32min = 0;
  reg.u32max = U32_MAX;
}

/** Nothing known about the value. */
export function markUnbounded(reg: RegState): void {
  reg.varOff = TNUM_UNKNOWN;
  markUnbounded64(reg);
  markUnbounded32(reg);
}

/**
 * A fresh unknown scalar (the kernel's __mark_reg_unknown): type SCALAR, no id, no pointer
 * fields, no precision.
 */
export function markScalarUnknown(reg: RegState): void {
  reg.type = RegType.SCALAR;
  reg.off = 0;
  reg.id = 0;
  reg.refObjId = 0;
  reg.map = null;
  reg.range = 0;
  reg.memSize = 0;
  reg.frameno = 0;
  reg.subprogno = 0;
  reg.btfId = 0;
  reg.precise = false;
  markUnbounded(reg);
}

/** A scalar known to be `value` (type SCALAR, pointer fields cleared). */
export function markScalarKnown(reg: RegState, value: bigint): void {
  markScalarUnknown(reg);
  markKnown(reg, value);
}

/** A pointer of `type` at offset 0 with no variable part (the kernel's mark_reg_known_zero). */
export function markPointer(reg: RegState, type: number): void {
  markScalarKnown(reg, 0n);
  reg.type = type;
}

/** The register becomes unreadable (NOT_INIT). */
export function markNotInit(reg: RegState): void {
  markScalarUnknown(reg);
  reg.type = RegType.NOT_INIT;
}

export const isConst = (reg: RegState): boolean => tnumIsConst(reg.varOff);
export const isConst32 = (reg: RegState): boolean => (reg.varOff.mask & LOW32) === 0n;
/** A scalar known to be 0 (register_is_null). */
export const isNull = (reg: RegState): boolean => reg.type === RegType.SCALAR && reg.varOff.mask === 0n && reg.varOff.value === 0n;

function updateBounds32(reg: RegState): void {
  const v = lo32(reg.varOff.value);
  const m = lo32(reg.varOff.mask);
  // min signed: the sign bit if it may be set, plus the known bits; max signed: the other way.
  const smin = (v | (m & 0x8000_0000)) | 0;
  const smax = (v | (m & 0x7fff_ffff)) | 0;
  if (smin > reg.s32min) reg.s32min = smin;
  if (smax < reg.s32max) reg.s32max = smax;
  if (v > reg.u32min) reg.u32min = v;
  const umax = (v | m) >>> 0;
  if (umax < reg.u32max) reg.u32max = umax;
}

const SIGN = 0x8000_0000_0000_0000n;

function updateBounds64(reg: RegState): void {
  const { value: v, mask: m } = reg.varOff;
  let smin: bigint;
  let smax: bigint;
  if (m < SIGN) {
    // The sign bit is known: both extremes share it.
    smin = v < SIGN ? v : v - 0x1_0000_0000_0000_0000n;
    smax = (v | m) < SIGN ? v | m : (v | m) - 0x1_0000_0000_0000_0000n;
  } else {
    smin = s64(v | SIGN);
    smax = v | (m & S64_MAX);
  }
  if (smin > reg.smin) reg.smin = smin;
  if (smax < reg.smax) reg.smax = smax;
  if (v > reg.umin) reg.umin = v;
  const umax = v | m;
  if (umax < reg.umax) reg.umax = umax;
}

/** Bounds implied by the tnum (__update_reg_bounds). */
export function updateBounds(reg: RegState): void {
  updateBounds32(reg);
  updateBounds64(reg);
}

function deduce32(reg: RegState): void {
  const uminLo = lo32(reg.umin);
  const umaxLo = lo32(reg.umax);
  const sminLo = lo32(reg.smin);
  const smaxLo = lo32(reg.smax);
  const uHiMin = hi32(reg.umin);
  const uHiMax = hi32(reg.umax);
  const sHiMin = hi32(reg.smin);
  const sHiMax = hi32(reg.smax);
  // Upper halves equal: the low halves of the u64 range form a u32 range (and maybe an s32 one).
  if (uHiMin === uHiMax) {
    if (uminLo > reg.u32min) reg.u32min = uminLo;
    if (umaxLo < reg.u32max) reg.u32max = umaxLo;
    if ((uminLo | 0) <= (umaxLo | 0)) {
      if ((uminLo | 0) > reg.s32min) reg.s32min = uminLo | 0;
      if ((umaxLo | 0) < reg.s32max) reg.s32max = umaxLo | 0;
    }
  }
  if (sHiMin === sHiMax) {
    if (sminLo <= smaxLo) {
      if (sminLo > reg.u32min) reg.u32min = sminLo;
      if (smaxLo < reg.u32max) reg.u32max = smaxLo;
    }
    if ((sminLo | 0) <= (smaxLo | 0)) {
      if ((sminLo | 0) > reg.s32min) reg.s32min = sminLo | 0;
      if ((smaxLo | 0) < reg.s32max) reg.s32max = smaxLo | 0;
    }
  }
  // Upper halves are two consecutive numbers and the low halves go from negative to positive.
  if (((uHiMin + 1) >>> 0) === (uHiMax >>> 0) && (uminLo | 0) < 0 && (umaxLo | 0) >= 0) {
    if ((uminLo | 0) > reg.s32min) reg.s32min = uminLo | 0;
    if ((umaxLo | 0) < reg.s32max) reg.s32max = umaxLo | 0;
  }
  if (((sHiMin + 1) >>> 0) === (sHiMax >>> 0) && (sminLo | 0) < 0 && (smaxLo | 0) >= 0) {
    if ((sminLo | 0) > reg.s32min) reg.s32min = sminLo | 0;
    if ((smaxLo | 0) < reg.s32max) reg.s32max = smaxLo | 0;
  }
  // A u32 range that does not cross the sign bit is also an s32 range, and the other way round.
  if ((reg.u32min | 0) <= (reg.u32max | 0)) {
    reg.s32min = Math.max(reg.s32min, reg.u32min | 0);
    reg.s32max = Math.min(reg.s32max, reg.u32max | 0);
  }
  if (reg.s32min >>> 0 <= reg.s32max >>> 0) {
    reg.u32min = Math.max(reg.u32min, reg.s32min >>> 0);
    reg.u32max = Math.min(reg.u32max, reg.s32max >>> 0);
  }
}

function deduce64(reg: RegState): void {
  if (s64(reg.umin) <= s64(reg.umax)) {
    reg.smin = bmax(reg.smin, s64(reg.umin));
    reg.smax = bmin(reg.smax, s64(reg.umax));
  }
  if (u64(reg.smin) <= u64(reg.smax)) {
    reg.umin = bmax(reg.umin, u64(reg.smin));
    reg.umax = bmin(reg.umax, u64(reg.smax));
  } else {
    // The s64 range wraps the sign bit: [smin, -1] ∪ [0, smax] as unsigned is split in two.
    if (reg.umax < u64(reg.smin)) {
      // Only the non-negative part is possible.
      reg.smin = reg.umin;
      reg.umax = bmin(reg.umax, reg.smax);
      reg.smax = bmin(reg.smax, reg.umax);
    } else if (u64(reg.smax) < reg.umin) {
      // Only the negative part is possible.
      reg.smax = s64(reg.umax);
      reg.umin = bmax(reg.umin, u64(reg.smin));
      reg.smin = bmax(reg.smin, s64(reg.umin));
    }
  }
}

function deduceMixed(reg: RegState): void {
  if (reg.u32min !== 0 || reg.u32max !== U32_MAX) tightenFromLow32(reg);
  // After a sign-extending load the upper bits are all zeros or all ones.
  if (reg.s32min >= 0 && reg.smin >= S32MINB && reg.smax <= S32MAXB) {
    reg.smin = BigInt(reg.s32min);
    reg.smax = BigInt(reg.s32max);
    reg.umin = reg.smin;
    reg.umax = reg.smax;
    reg.varOff = tnumIntersect(reg.varOff, tnumRange(reg.smin, reg.smax));
  }
}

/** The low 32 bits' range tightens each 64-bit range at its ends (the high half kept). */
function tightenFromLow32(reg: RegState): void {
  const TWO32 = 4294967296;
  const uminHi = hi32(reg.umin) * TWO32;
  const umaxHi = hi32(reg.umax) * TWO32;
  if (Number.isSafeInteger(uminHi) && Number.isSafeInteger(umaxHi)) {
    if (uminHi + reg.u32min > Number(reg.umin)) reg.umin = BigInt(uminHi + reg.u32min);
    if (umaxHi + reg.u32max < Number(reg.umax)) reg.umax = BigInt(umaxHi + reg.u32max);
  } else {
    const newUmin = (reg.umin & ~LOW32 & U64_MAX) | BigInt(reg.u32min);
    const newUmax = (reg.umax & ~LOW32 & U64_MAX) | BigInt(reg.u32max);
    if (newUmin > reg.umin) reg.umin = newUmin;
    if (newUmax < reg.umax) reg.umax = newUmax;
  }
  const sminHi = hi32(reg.smin) * TWO32;
  const smaxHi = hi32(reg.smax) * TWO32;
  if (Number.isSafeInteger(sminHi) && Number.isSafeInteger(smaxHi)) {
    if (sminHi + reg.u32min > Number(reg.smin)) reg.smin = BigInt(sminHi + reg.u32min);
    if (smaxHi + reg.u32max < Number(reg.smax)) reg.smax = BigInt(smaxHi + reg.u32max);
  } else {
    const newSmin = s64(u64(reg.smin) & ~LOW32 & U64_MAX) | BigInt(reg.u32min);
    const newSmax = s64(u64(reg.smax) & ~LOW32 & U64_MAX) | BigInt(reg.u32max);
    if (newSmin > reg.smin) reg.smin = newSmin;
    if (newSmax < reg.smax) reg.smax = newSmax;
  }
}

/** Bounds learned from each other (__reg_deduce_bounds). */
export function deduceBounds(reg: RegState): void {
  deduce32(reg);
  deduce64(reg);
  deduceMixed(reg);
}

/** Bits learned from the bounds (__reg_bound_offset). */
export function boundOffset(reg: RegState): void {
  const full64 = reg.umin === 0n && reg.umax === U64_MAX;
  const full32 = reg.u32min === 0 && reg.u32max === U32_MAX;
  if (full64 && full32) return;
  const var64 = full64 ? reg.varOff : tnumIntersect(reg.varOff, tnumRange(reg.umin, reg.umax));
  if (full32) {
    reg.varOff = var64;
    return;
  }
  // The low half: intersect with the tnum of [u32min, u32max], in 32-bit numbers.
  const chi = (reg.u32min ^ reg.u32max) >>> 0;
  const bits = 32 - Math.clz32(chi);
  const delta = bits === 32 ? 0xffff_ffff : (2 ** bits - 1);
  const rv = (reg.u32min & ~delta) >>> 0;
  const lv = lo32(var64.value);
  const lm = lo32(var64.mask);
  const v = (lv | rv) >>> 0;
  const mu = (lm & delta) >>> 0;
  const nv = (v & ~mu) >>> 0;
  if (nv === lv && mu === lm) {
    reg.varOff = var64;
    return;
  }
  reg.varOff = {
    value: (var64.value & ~LOW32 & U64_MAX) | BigInt(nv),
    mask: (var64.mask & ~LOW32 & U64_MAX) | BigInt(mu),
  };
}

/** Makes the bounds and tnum agree (reg_bounds_sync). */
export function regBoundsSync(reg: RegState): void {
  if (reg.varOff.mask === 0n) {
    // Fast path: a constant (bounds may only be tighter if the state is contradictory).
    const v = reg.varOff.value;
    if (reg.umin <= v && v <= reg.umax && reg.smin <= s64(v) && s64(v) <= reg.smax) {
      markKnown(reg, v);
      return;
    }
  }
  if (reg.varOff.mask === U64_MAX && reg.umin === 0n && reg.umax === U64_MAX && reg.smin === S64_MIN && reg.smax === S64_MAX &&
    reg.u32min === 0 && reg.u32max === U32_MAX && reg.s32min === S32_MIN && reg.s32max === S32_MAX) {
    return; // Nothing known: nothing to learn.
  }
  updateBounds(reg);
  const { umin, umax, smin, smax, u32min, u32max, s32min, s32max } = reg;
  deduceBounds(reg);
  // A second round only when the first one learned something.
  if (reg.umin !== umin || reg.umax !== umax || reg.smin !== smin || reg.smax !== smax || reg.u32min !== u32min ||
    reg.u32max !== u32max || reg.s32min !== s32min || reg.s32max !== s32max) {
    deduceBounds(reg);
  }
  boundOffset(reg);
  updateBounds(reg);
}

/** Whether the bounds are self-consistent (reg_bounds_sanity_check). */
export function boundsSane(reg: RegState): boolean {
  return reg.umin <= reg.umax && reg.smin <= reg.smax && reg.u32min <= reg.u32max && reg.s32min <= reg.s32max &&
    (reg.varOff.value & reg.varOff.mask) === 0n;
}

/** The 32-bit result of an ALU32 operation, zero-extended to 64 bits (zext_32_to_64). */
export function zext32to64(reg: RegState): void {
  reg.varOff = tnumSubreg(reg.varOff);
  reg.umin = BigInt(reg.u32min);
  reg.umax = BigInt(reg.u32max);
  if (reg.s32min >= 0 && reg.s32max >= 0) {
    reg.smin = BigInt(reg.s32min);
    reg.smax = BigInt(reg.s32max);
  } else {
    reg.smin = 0n;
    reg.smax = BigInt(U32_MAX);
  }
}

/** Truncates to the low `size` bytes, zero-extended (coerce_reg_to_size). */
export function coerceToSize(reg: RegState, size: number): void {
  if (size >= 8) return;
  const mask = (1n << BigInt(size * 8)) - 1n;
  reg.varOff = tnumCast(reg.varOff, size);
  if ((reg.umin & ~mask) === (reg.umax & ~mask)) {
    reg.umin &= mask;
    reg.umax &= mask;
  } else {
    reg.umin = 0n;
    reg.umax = mask;
  }
  reg.smin = reg.umin;
  reg.smax = reg.umax;
  // The low 32 bits are unchanged by a 4-byte truncation; narrower ones start over from 64 bits.
  if (size < 4) markUnbounded32(reg);
  regBoundsSync(reg);
}

/** The tnum of the low `size` bytes of `t`, sign-extended to 64 bits. */
function tnumSext(t: Tnum, size: number): Tnum {
  const bits = BigInt(size * 8);
  const low = (1n << bits) - 1n;
  const sign = 1n << (bits - 1n);
  const high = U64_MAX & ~low;
  const c = tnumCast(t, size);
  if (c.mask & sign) return { value: c.value, mask: c.mask | high };
  if (c.value & sign) return { value: c.value | high, mask: c.mask };
  return c;
}

/** Truncates to the low `size` bytes and sign-extends to 64 bits (coerce_reg_to_size_sx). */
export function coerceToSizeSx(reg: RegState, size: number): void {
  if (size >= 8) return;
  const bits = size * 8;
  if (tnumIsConst(reg.varOff)) {
    markKnown(reg, BigInt.asIntN(bits, reg.varOff.value));
    return;
  }
  const sign = 1n << BigInt(bits - 1);
  let smin = -sign;
  let smax = sign - 1n;
  // One block of 2^bits values: sign extension is monotonic unless the block's sign flips inside.
  if (u64(reg.smin) >> BigInt(bits) === u64(reg.smax) >> BigInt(bits)) {
    const a = BigInt.asIntN(bits, reg.smin);
    const b = BigInt.asIntN(bits, reg.smax);
    if (a >= 0n === b >= 0n && a <= b) {
      smin = a;
      smax = b;
    }
  }
  const t = tnumSext(reg.varOff, size);
  markUnbounded(reg);
  reg.varOff = t;
  reg.smin = smin;
  reg.smax = smax;
  regBoundsSync(reg);
}

/** Sign-extends the low `size` bytes to 32 bits, then zero-extends to 64 (MOV32 with `off`). */
export function coerceSubregToSizeSx(reg: RegState, size: number): void {
  coerceToSizeSx(reg, size);
  // The 64-bit value now lies in the s16 (or s8) range: its low 32 bits carry the same signed range.
  const s32min = Number(reg.smin);
  const s32max = Number(reg.smax);
  reg.varOff = tnumSubreg(reg.varOff);
  markUnbounded64(reg);
  markUnbounded32(reg);
  reg.s32min = s32min;
  reg.s32max = s32max;
  updateBounds(reg);
  deduceBounds(reg);
  zext32to64(reg);
  regBoundsSync(reg);
}
