/**
 * 64- and 32-bit integer helpers over bigint and number, with the kernel's names in mind:
 * u64/s64 values are bigints (unsigned in [0, 2^64), signed in [-2^63, 2^63)), u32/s32 values are
 * plain numbers. Every function here is total: it wraps, never throws.
 */
export const U64_MAX = 0xffff_ffff_ffff_ffffn;
export const S64_MAX = 0x7fff_ffff_ffff_ffffn;
export const S64_MIN = -0x8000_0000_0000_0000n;
export const U32_MAX = 0xffff_ffff;
export const S32_MAX = 0x7fff_ffff;
export const S32_MIN = -0x8000_0000;

/** Wraps to an unsigned 64-bit value. */
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
/** Wraps to a signed 64-bit value. */
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const TWO32 = 4294967296;
const SAFE = 9007199254740992;

/** The low 32 bits of a 64-bit value (signed or unsigned), unsigned. Avoids bigint work for values within ±2^53. */
export function lo32(v: bigint): number {
  if (v === U64_MAX) return 0xffff_ffff;
  const n = Number(v);
  if (n > -SAFE && n < SAFE) {
    const r = n % TWO32;
    return r < 0 ? r + TWO32 : r;
  }
  return Number(BigInt.asUintN(32, v));
}
/** The low 32 bits of a 64-bit value, signed. */
export const lo32s = (v: bigint): number => lo32(v) | 0;
/** The high 32 bits of a 64-bit value, as the signed quotient v >> 32 (arithmetic shift). */
export function hi32(v: bigint): number {
  const n = Number(v);
  if (n > -SAFE && n < SAFE) return Math.floor(n / TWO32);
  return Number(v >> 32n);
}
/** A number wrapped to u32. */
export const u32 = (v: number): number => v >>> 0;
/** A number wrapped to s32. */
export const s32 = (v: number): number => v | 0;

/** Position of the highest set bit of an unsigned 64-bit value, 1-based; 0 for 0 (the kernel's fls64). */
export function fls64(v: bigint): number {
  if (v <= 0xffff_ffffn) return 32 - Math.clz32(Number(v));
  const hi = Number(v >> 32n);
  return 64 - Math.clz32(hi);
}

/** Minimum and maximum of bigints. */
export const bmin = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const bmax = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** Whether a + b overflows the signed 64-bit range (the kernel's check_add_overflow on s64). */
export const addOverflowsS64 = (a: bigint, b: bigint): boolean => {
  const r = a + b;
  return r > S64_MAX || r < S64_MIN;
};
export const subOverflowsS64 = (a: bigint, b: bigint): boolean => {
  const r = a - b;
  return r > S64_MAX || r < S64_MIN;
};

/**
 * `%#llx` the way the kernel's vsprintf prints it: `0x` followed by lower-case hex, also for 0.
 * Takes the value as unsigned 64-bit.
 */
export const hex = (v: bigint): string => `0x${u64(v).toString(16)}`;
