import { AluOp } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { type Width, alu, byteSwap, endian } from './alu.js';

const INT64_MIN = 0x8000_0000_0000_0000n;
const U64_MAX = 0xffff_ffff_ffff_ffffn;
const neg = (v: bigint): bigint => BigInt.asUintN(64, -v);

type Case = [title: string, op: AluOp, width: Width, dst: bigint, src: bigint, off: number, expected: bigint];

const cases: Case[] = [
  ['add64 wraps around', AluOp.ADD, 64, U64_MAX, 2n, 0, 1n],
  ['add32 zero-extends and drops the carry', AluOp.ADD, 32, 0xffff_ffffn, 2n, 0, 1n],
  ['add32 ignores the high halves of its operands', AluOp.ADD, 32, 0x1_0000_0001n, 0x5_0000_0001n, 0, 2n],
  ['sub32 below zero gives a zero-extended 32-bit value', AluOp.SUB, 32, 0n, 1n, 0, 0xffff_ffffn],
  ['mul64 keeps the low 64 bits', AluOp.MUL, 64, 1n << 63n, 2n, 0, 0n],
  ['mul32 of INT_MIN by -1 gives INT_MIN', AluOp.MUL, 32, 0x8000_0000n, neg(1n), 0, 0x8000_0000n],
  ['div64 is unsigned', AluOp.DIV, 64, neg(8n), 2n, 0, neg(8n) / 2n],
  ['div64 by a sign-extended negative immediate is unsigned', AluOp.DIV, 64, 10n, neg(1n), 0, 0n],
  ['div64 by zero gives 0', AluOp.DIV, 64, 42n, 0n, 0, 0n],
  ['div32 by zero gives 0', AluOp.DIV, 32, 42n, 0n, 0, 0n],
  ['div32 by a divisor with only high bits set is a division by zero', AluOp.DIV, 32, 42n, 1n << 32n, 0, 0n],
  ['sdiv64 of INT_MIN by -1 gives INT_MIN', AluOp.DIV, 64, INT64_MIN, neg(1n), 1, INT64_MIN],
  ['sdiv32 of INT_MIN by -1 gives INT_MIN, zero-extended', AluOp.DIV, 32, 0x8000_0000n, neg(1n), 1, 0x8000_0000n],
  ['sdiv64 truncates toward zero', AluOp.DIV, 64, neg(7n), 2n, 1, neg(3n)],
  ['sdiv32 of -7 by 2 gives -3, zero-extended', AluOp.DIV, 32, neg(7n), 2n, 1, 0xffff_fffdn],
  ['sdiv64 by zero gives 0', AluOp.DIV, 64, neg(7n), 0n, 1, 0n],
  ['mod64 by zero leaves dst', AluOp.MOD, 64, neg(7n), 0n, 0, neg(7n)],
  ['mod32 by zero leaves dst truncated to 32 bits', AluOp.MOD, 32, 0x1234_5678_9abc_def0n, 0n, 0, 0x9abc_def0n],
  ['mod64 is unsigned', AluOp.MOD, 64, neg(1n), 10n, 0, U64_MAX % 10n],
  ['smod64 of INT_MIN by -1 gives 0', AluOp.MOD, 64, INT64_MIN, neg(1n), 1, 0n],
  ['smod32 of INT_MIN by -1 gives 0', AluOp.MOD, 32, 0x8000_0000n, neg(1n), 1, 0n],
  ['smod64 takes the sign of the dividend (negative by positive)', AluOp.MOD, 64, neg(7n), 2n, 1, neg(1n)],
  ['smod64 takes the sign of the dividend (positive by negative)', AluOp.MOD, 64, 7n, neg(2n), 1, 1n],
  ['smod32 of -7 by -2 gives -1, zero-extended', AluOp.MOD, 32, neg(7n), neg(2n), 1, 0xffff_ffffn],
  ['smod64 by zero leaves dst', AluOp.MOD, 64, neg(7n), 0n, 1, neg(7n)],
  ['smod32 by zero leaves dst truncated to 32 bits', AluOp.MOD, 32, neg(7n), 0n, 1, 0xffff_fff9n],
  ['lsh64 masks the amount to 6 bits', AluOp.LSH, 64, 1n, 65n, 0, 2n],
  ['lsh32 masks the amount to 5 bits', AluOp.LSH, 32, 1n, 33n, 0, 2n],
  ['lsh32 drops bits shifted past bit 31', AluOp.LSH, 32, 0x8000_0001n, 1n, 0, 2n],
  ['rsh64 is logical', AluOp.RSH, 64, INT64_MIN, 63n, 0, 1n],
  ['rsh32 uses only the low 32 bits of dst', AluOp.RSH, 32, 0xf_0000_0000n, 4n, 0, 0n],
  ['arsh64 copies the sign bit', AluOp.ARSH, 64, INT64_MIN, 4n, 0, 0xf800_0000_0000_0000n],
  ['arsh32 copies bit 31 and zero-extends', AluOp.ARSH, 32, 0x8000_0000n, 4n, 0, 0xf800_0000n],
  ['arsh32 masks a negative amount', AluOp.ARSH, 32, 0x8000_0000n, neg(28n), 0, 0xf800_0000n],
  ['neg64 of INT_MIN gives INT_MIN', AluOp.NEG, 64, INT64_MIN, 0n, 0, INT64_MIN],
  ['neg32 of 1 gives 0xffffffff', AluOp.NEG, 32, 1n, 0n, 0, 0xffff_ffffn],
  ['or, and, xor work bitwise', AluOp.XOR, 64, 0b1100n, 0b1010n, 0, 0b0110n],
  ['mov32 zero-extends', AluOp.MOV, 32, 0n, U64_MAX, 0, 0xffff_ffffn],
  ['mov64 with a sign-extended immediate', AluOp.MOV, 64, 0n, neg(1n), 0, U64_MAX],
  ['movsx64 of a byte sign-extends', AluOp.MOV, 64, 0n, 0x80n, 8, neg(0x80n)],
  ['movsx64 of a half word sign-extends', AluOp.MOV, 64, 0n, 0x1_8000n, 16, neg(0x8000n)],
  ['movsx64 of a word sign-extends', AluOp.MOV, 64, 0n, 0x8000_0000n, 32, neg(0x8000_0000n)],
  ['movsx32 of a byte sign-extends to 32 bits, then zero-extends', AluOp.MOV, 32, 0n, 0xffn, 8, 0xffff_ffffn],
  ['movsx32 of a positive half word stays positive', AluOp.MOV, 32, 0n, 0xff_7fffn, 16, 0x7fffn],
];

describe('interp alu', () => {
  it.each(cases)('interp - %s', (_title, op, width, dst, src, off, expected) => {
    expect(alu(op, width, dst, src, off)).toBe(expected);
  });

  it.each([
    ['le16 truncates to 16 bits', 'le', 0x1122_3344_5566_7788n, 16, 0x7788n],
    ['le32 truncates to 32 bits', 'le', 0x1122_3344_5566_7788n, 32, 0x5566_7788n],
    ['le64 is the identity', 'le', 0x1122_3344_5566_7788n, 64, 0x1122_3344_5566_7788n],
    ['be16 swaps the low two bytes and zero-extends', 'be', 0x1122_3344_5566_7788n, 16, 0x8877n],
    ['be32 swaps the low four bytes', 'be', 0x1122_3344_5566_7788n, 32, 0x8877_6655n],
    ['bswap64 swaps all eight bytes', 'bswap', 0x1122_3344_5566_7788n, 64, 0x8877_6655_4433_2211n],
  ] as const)('interp - %s', (_title, kind, value, bits, expected) => {
    expect(endian(kind, value, bits)).toBe(expected);
  });

  it('interp - byteSwap of a byte swap is the identity', () => {
    expect(byteSwap(byteSwap(0x0102_0304n, 32), 32)).toBe(0x0102_0304n);
  });
});
