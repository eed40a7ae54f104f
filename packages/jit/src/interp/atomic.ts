import { AtomicOp } from '@bpfhive/uapi';
import type { Width } from './alu.js';

/**
 * The value an atomic read-modify-write stores, RFC 9669 §5.3, for the arithmetic operations
 * (ADD, OR, AND, XOR, with or without FETCH). `old` is the value in memory, `operand` the src
 * register; both are used on `width` bits. XCHG and CMPXCHG are handled by the caller.
 */
export function atomicCombine(op: number, width: Width, old: bigint, operand: bigint): bigint {
  const wrap = (v: bigint): bigint => BigInt.asUintN(width, v);
  switch (op & ~AtomicOp.FETCH) {
    case AtomicOp.ADD:
      return wrap(old + operand);
    case AtomicOp.OR:
      return wrap(old | operand);
    case AtomicOp.AND:
      return wrap(old & operand);
    case AtomicOp.XOR:
      return wrap(old ^ operand);
    default:
      throw new RangeError(`atomic: 0x${op.toString(16)} is not an arithmetic atomic operation`);
  }
}
