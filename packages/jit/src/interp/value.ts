/**
 * 64-bit register values as BigInt.
 *
 * A register always holds its canonical form: an unsigned 64-bit BigInt in [0, 2^64). Signed
 * views are taken only where an operation is signed (signed division, arithmetic shift, signed
 * comparisons), then wrapped back with `u64`.
 */

/** Wraps any BigInt into the unsigned 64-bit range. */
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** The value as a signed 64-bit number. */
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** The low 32 bits, unsigned (which is also the zero-extension of a 32-bit result). */
export const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);

/** Sign-extends the low `bits` bits of `v` to 64 bits, returned in canonical (unsigned) form. */
export const signExtend = (v: bigint, bits: number): bigint => BigInt.asUintN(64, BigInt.asIntN(bits, v));

/** A signed 32-bit immediate sign-extended to 64 bits, as RFC 9669 does for 64-bit operations. */
export const immValue = (imm: number): bigint => u64(BigInt(imm));

/** `0x…` spelling of an address or value, for messages. */
export const hex = (v: bigint): string => `0x${u64(v).toString(16)}`;
