import { AluOp } from '@bpfhive/uapi';

/**
 * Arithmetic of ALU (32-bit) and ALU64 instructions, RFC 9669 §4.1.
 *
 * `alu(op, width, dst, src, off)` takes the two operands as unsigned BigInts (any width; only the
 * low `width` bits are used) and returns the result as an unsigned BigInt of `width` bits, which
 * for width 32 is exactly the zero-extended 64-bit register value. `src` is the src register or
 * the immediate sign-extended to 64 bits; `off` selects signed division (1) and sign-extending
 * moves (8, 16, 32).
 *
 * Edge cases, as the RFC and Linux define them:
 * - shift amounts are masked to width - 1;
 * - division by zero gives 0; modulo by zero leaves dst (for width 32: its low 32 bits);
 * - signed division of INT_MIN by -1 wraps to INT_MIN, and INT_MIN modulo -1 is 0;
 * - signed modulo takes the sign of the dividend (truncating division, as in C).
 */

export type Width = 32 | 64;

export function alu(op: AluOp, width: Width, dst: bigint, src: bigint, off: number): bigint {
  const wrap = (v: bigint): bigint => BigInt.asUintN(width, v);
  const signed = (v: bigint): bigint => BigInt.asIntN(width, v);
  const d = wrap(dst);
  const s = wrap(src);
  const shift = s & BigInt(width - 1);
  switch (op) {
    case AluOp.ADD:
      return wrap(d + s);
    case AluOp.SUB:
      return wrap(d - s);
    case AluOp.MUL:
      return wrap(d * s);
    case AluOp.DIV:
      if (s === 0n) return 0n;
      return off === 1 ? wrap(signed(d) / signed(s)) : d / s;
    case AluOp.MOD:
      if (s === 0n) return d;
      return off === 1 ? wrap(signed(d) % signed(s)) : d % s;
    case AluOp.OR:
      return d | s;
    case AluOp.AND:
      return d & s;
    case AluOp.XOR:
      return d ^ s;
    case AluOp.LSH:
      return wrap(d << shift);
    case AluOp.RSH:
      return d >> shift;
    case AluOp.ARSH:
      return wrap(signed(d) >> shift);
    case AluOp.NEG:
      return wrap(-d);
    case AluOp.MOV:
      // off 0: plain move; 8, 16, 32: sign-extend the low off bits of src (movsx).
      return off === 0 ? s : wrap(BigInt.asIntN(off, src));
    case AluOp.END:
      throw new RangeError('alu: byte swaps go through byteSwap');
  }
}

/** Reverses the low `bits / 8` bytes of `value`; the result has `bits` bits. */
export function byteSwap(value: bigint, bits: 16 | 32 | 64): bigint {
  let v = BigInt.asUintN(bits, value);
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) {
    out = (out << 8n) | (v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * The END instruction on a little-endian machine, RFC 9669 §4.2: `le` (ALU, TO_LE) truncates to
 * `bits`, `be` (ALU, TO_BE) and `bswap` (ALU64) reverse the bytes; the result is zero-extended.
 */
export function endian(kind: 'le' | 'be' | 'bswap', value: bigint, bits: 16 | 32 | 64): bigint {
  return kind === 'le' ? BigInt.asUintN(bits, value) : byteSwap(value, bits);
}
