/**
 * The exact result of an arithmetic instruction on known operands (RFC 9669 semantics with the
 * Linux extensions): division by zero gives 0, modulo by zero leaves the dividend, shifts use
 * the low 5 or 6 bits of the amount, signed division truncates toward zero and INT_MIN / -1 wraps.
 * Used to fold constants, the common case the bounds machinery need not run for.
 */
import { AluOp } from '@bpfhive/uapi';

/** `op` on 64-bit operands (unsigned bigints in, unsigned bigint out); `signed` selects sdiv/smod. */
export function alu64Const(op: number, a: bigint, b: bigint, signed: boolean): bigint {
  const w = (v: bigint) => BigInt.asUintN(64, v);
  switch (op) {
    case AluOp.ADD: return w(a + b);
    case AluOp.SUB: return w(a - b);
    case AluOp.MUL: return w(a * b);
    case AluOp.DIV:
      if (b === 0n) return 0n;
      return signed ? w(BigInt.asIntN(64, a) / BigInt.asIntN(64, b)) : a / b;
    case AluOp.MOD:
      if (b === 0n) return a;
      return signed ? w(BigInt.asIntN(64, a) % BigInt.asIntN(64, b)) : a % b;
    case AluOp.OR: return a | b;
    case AluOp.AND: return a & b;
    case AluOp.XOR: return a ^ b;
    case AluOp.LSH: return w(a << (b & 63n));
    case AluOp.RSH: return a >> (b & 63n);
    case AluOp.ARSH: return w(BigInt.asIntN(64, a) >> (b & 63n));
    case AluOp.NEG: return w(-a);
    default: throw new Error(`alu64Const: unexpected op 0x${op.toString(16)}`);
  }
}

/** `op` on the low 32 bits of the operands; the result is the zero-extended 32-bit value. */
export function alu32Const(op: number, a: bigint, b: bigint, signed: boolean): bigint {
  const x = a & 0xffff_ffffn;
  const y = b & 0xffff_ffffn;
  const w = (v: bigint) => BigInt.asUintN(32, v);
  const sx = (v: bigint) => BigInt.asIntN(32, v);
  switch (op) {
    case AluOp.ADD: return w(x + y);
    case AluOp.SUB: return w(x - y);
    case AluOp.MUL: return w(x * y);
    case AluOp.DIV:
      if (y === 0n) return 0n;
      return signed ? w(sx(x) / sx(y)) : x / y;
    case AluOp.MOD:
      if (y === 0n) return x;
      return signed ? w(sx(x) % sx(y)) : x % y;
    case AluOp.OR: return x | y;
    case AluOp.AND: return x & y;
    case AluOp.XOR: return x ^ y;
    case AluOp.LSH: return w(x << (y & 31n));
    case AluOp.RSH: return x >> (y & 31n);
    case AluOp.ARSH: return w(sx(x) >> (y & 31n));
    case AluOp.NEG: return w(-x);
    default: throw new Error(`alu32Const: unexpected op 0x${op.toString(16)}`);
  }
}

/** Byte swap of the low `bits` bits (16, 32, 64); the result is zero-extended. */
export function bswapConst(v: bigint, bits: number): bigint {
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) out = (out << 8n) | ((v >> BigInt(i * 8)) & 0xffn);
  return out;
}
