import { describe, expect, it } from 'vitest';
import { type Instruction, insn, splitImm64 } from '../insn/instruction.js';
import {
  AluOp,
  AtomicOp,
  CALL,
  CALLX,
  EXIT,
  Endian,
  InsnClass,
  JA,
  JA32,
  JmpOp,
  LD_IMM64,
  MAY_GOTO,
  Mode,
  Size,
  Source,
} from '../insn/opcode.js';
import { disassemble, formatInstruction } from './disasm.js';

const { ALU, ALU64, JMP, JMP32, LD, LDX, ST, STX } = InsnClass;
const { K, X } = Source;

const alu = (cls: number, op: number, src: number, dst: number, srcReg: number, off: number, imm: number): Instruction =>
  insn(cls | op | src, dst, srcReg, off, imm);
const lddw = (dst: number, src: number, value: bigint): Instruction => {
  const { imm, imm2 } = splitImm64(value);
  return insn(LD_IMM64, dst, src, 0, imm, imm2);
};
const atomic = (size: number, dst: number, src: number, off: number, op: number): Instruction =>
  insn(STX | Mode.ATOMIC | size, dst, src, off, op);

type Case = readonly [text: string, insn: Instruction];

const ARITHMETIC: Case[] = [
  ['r1 += 4', alu(ALU64, AluOp.ADD, K, 1, 0, 0, 4)],
  ['w1 += 4', alu(ALU, AluOp.ADD, K, 1, 0, 0, 4)],
  ['r1 = r2', alu(ALU64, AluOp.MOV, X, 1, 2, 0, 0)],
  ['w1 = w2', alu(ALU, AluOp.MOV, X, 1, 2, 0, 0)],
  ['r10 = -2147483648', alu(ALU64, AluOp.MOV, K, 10, 0, 0, -0x80000000)],
  ['w0 = -1', alu(ALU, AluOp.MOV, K, 0, 0, 0, 0xffffffff)],
  ['r1 -= r2', alu(ALU64, AluOp.SUB, X, 1, 2, 0, 0)],
  ['w1 *= w2', alu(ALU, AluOp.MUL, X, 1, 2, 0, 0)],
  ['r1 /= 3', alu(ALU64, AluOp.DIV, K, 1, 0, 0, 3)],
  ['w1 %= w9', alu(ALU, AluOp.MOD, X, 1, 9, 0, 0)],
  ['r1 |= -1', alu(ALU64, AluOp.OR, K, 1, 0, 0, -1)],
  ['r1 &= r2', alu(ALU64, AluOp.AND, X, 1, 2, 0, 0)],
  ['w1 <<= 31', alu(ALU, AluOp.LSH, K, 1, 0, 0, 31)],
  ['r1 >>= r2', alu(ALU64, AluOp.RSH, X, 1, 2, 0, 0)],
  ['r1 ^= 2147483647', alu(ALU64, AluOp.XOR, K, 1, 0, 0, 0x7fffffff)],
  ['w1 s>>= w2', alu(ALU, AluOp.ARSH, X, 1, 2, 0, 0)],
  ['r1 = -r1', alu(ALU64, AluOp.NEG, K, 1, 0, 0, 0)],
  ['w1 = -w1', alu(ALU, AluOp.NEG, K, 1, 0, 0, 0)],
  ['r1 = le16 r1', alu(ALU, AluOp.END, Endian.TO_LE, 1, 0, 0, 16)],
  ['r0 = be16 r0', alu(ALU, AluOp.END, Endian.TO_BE, 0, 0, 0, 16)],
  ['r2 = be64 r2', alu(ALU, AluOp.END, Endian.TO_BE, 2, 0, 0, 64)],
  // cpu v4 and newer Linux forms, in LLVM 17+ syntax
  ['r1 s/= r2', alu(ALU64, AluOp.DIV, X, 1, 2, 1, 0)],
  ['w1 s%= 5', alu(ALU, AluOp.MOD, K, 1, 0, 1, 5)],
  ['r1 = (s8)r2', alu(ALU64, AluOp.MOV, X, 1, 2, 8, 0)],
  ['w1 = (s16)w2', alu(ALU, AluOp.MOV, X, 1, 2, 16, 0)],
  ['r1 = (s32)r2', alu(ALU64, AluOp.MOV, X, 1, 2, 32, 0)],
  ['r1 = bswap16 r1', alu(ALU64, AluOp.END, Endian.TO_LE, 1, 0, 0, 16)],
  ['r3 = bswap64 r3', alu(ALU64, AluOp.END, Endian.TO_LE, 3, 0, 0, 64)],
  ['r1 = addr_space_cast(r2, 0, 1)', alu(ALU64, AluOp.MOV, X, 1, 2, 1, 1)],
  ['r1 = addr_space_cast(r2, 1, 0)', alu(ALU64, AluOp.MOV, X, 1, 2, 1, 0x10000)],
];

const JUMPS: Case[] = [
  ['if r1 == 4 goto +3', alu(JMP, JmpOp.JEQ, K, 1, 0, 3, 4)],
  ['if w1 s> w2 goto -1', alu(JMP32, JmpOp.JSGT, X, 1, 2, -1, 0)],
  ['if r1 > r2 goto +0', alu(JMP, JmpOp.JGT, X, 1, 2, 0, 0)],
  ['if w1 >= -1 goto +32767', alu(JMP32, JmpOp.JGE, K, 1, 0, 32767, -1)],
  ['if r1 != 0 goto -32768', alu(JMP, JmpOp.JNE, K, 1, 0, -32768, 0)],
  ['if r1 s>= r2 goto +1', alu(JMP, JmpOp.JSGE, X, 1, 2, 1, 0)],
  ['if r1 < 7 goto +1', alu(JMP, JmpOp.JLT, K, 1, 0, 1, 7)],
  ['if w1 <= w2 goto +1', alu(JMP32, JmpOp.JLE, X, 1, 2, 1, 0)],
  ['if r1 s< -5 goto +1', alu(JMP, JmpOp.JSLT, K, 1, 0, 1, -5)],
  ['if w1 s<= 0 goto +1', alu(JMP32, JmpOp.JSLE, K, 1, 0, 1, 0)],
  ['if r1 & 4 goto +3', alu(JMP, JmpOp.JSET, K, 1, 0, 3, 4)],
  ['if w1 & w2 goto +3', alu(JMP32, JmpOp.JSET, X, 1, 2, 3, 0)],
  ['goto +0', insn(JA, 0, 0, 0, 0)],
  ['goto -1', insn(JA, 0, 0, -1, 0)],
  ['gotol +3', insn(JA32, 0, 0, 0, 3)],
  ['gotol -100000', insn(JA32, 0, 0, 0, -100000)],
  ['may_goto +3', insn(MAY_GOTO, 0, 0, 3, 0)],
  ['call 4', insn(CALL, 0, 0, 0, 4)],
  ['call -1', insn(CALL, 0, 1, 0, -1)],
  ['call 4', insn(CALL, 0, 1, 0, 4)],
  ['call 12345', insn(CALL, 0, 2, 3, 12345)],
  ['callx r2', insn(CALLX, 2, 0, 0, 0)],
  ['exit', insn(EXIT, 0, 0, 0, 0)],
];

const LOADS_AND_STORES: Case[] = [
  ['r1 = 21474836484 ll', lddw(1, 0, 21474836484n)],
  ['r1 = -1 ll', lddw(1, 0, -1n)],
  ['r0 = 4294967295 ll', lddw(0, 0, 0xffffffffn)],
  ['r9 = -9223372036854775808 ll', lddw(9, 0, -(1n << 63n))],
  ['ld_pseudo\tr1, 1, 4', insn(LD_IMM64, 1, 1, 0, 4, 0)],
  ['ld_pseudo\tr1, 2, 4', insn(LD_IMM64, 1, 2, 0, 4, 8)],
  ['ld_pseudo\tr2, 6, 4294967295', insn(LD_IMM64, 2, 6, 0, -1, 0)],
  ['r0 = *(u32 *)skb[4]', insn(LD | Mode.ABS | Size.W, 0, 0, 0, 4)],
  ['r0 = *(u8 *)skb[-1]', insn(LD | Mode.ABS | Size.B, 0, 0, 0, -1)],
  ['r0 = *(u16 *)skb[r2]', insn(LD | Mode.IND | Size.H, 0, 2, 0, 0)],
  ['w1 = *(u32 *)(r2 + 3)', insn(LDX | Mode.MEM | Size.W, 1, 2, 3, 0)],
  ['w1 = *(u32 *)(r0 - 32768)', insn(LDX | Mode.MEM | Size.W, 1, 0, -32768, 0)],
  ['w1 = *(u8 *)(r10 + 0)', insn(LDX | Mode.MEM | Size.B, 1, 10, 0, 0)],
  ['w1 = *(u16 *)(r2 + 32767)', insn(LDX | Mode.MEM | Size.H, 1, 2, 32767, 0)],
  ['r1 = *(u64 *)(r2 - 8)', insn(LDX | Mode.MEM | Size.DW, 1, 2, -8, 0)],
  ['r1 = *(s8 *)(r2 + 3)', insn(LDX | Mode.MEMSX | Size.B, 1, 2, 3, 0)],
  ['r1 = *(s16 *)(r2 + 3)', insn(LDX | Mode.MEMSX | Size.H, 1, 2, 3, 0)],
  ['r1 = *(s32 *)(r2 - 3)', insn(LDX | Mode.MEMSX | Size.W, 1, 2, -3, 0)],
  ['*(u64 *)(r1 + 3) = r2', insn(STX | Mode.MEM | Size.DW, 1, 2, 3, 0)],
  ['*(u32 *)(r1 + 3) = w2', insn(STX | Mode.MEM | Size.W, 1, 2, 3, 0)],
  ['*(u8 *)(r10 - 1) = w0', insn(STX | Mode.MEM | Size.B, 10, 0, -1, 0)],
  ['*(u32 *)(r10 - 8) = 1', insn(ST | Mode.MEM | Size.W, 10, 0, -8, 1)],
  ['*(u64 *)(r10 - 8) = -1', insn(ST | Mode.MEM | Size.DW, 10, 0, -8, -1)],
  ['*(u16 *)(r1 + 0) = 65535', insn(ST | Mode.MEM | Size.H, 1, 0, 0, 0xffff)],
];

const ATOMICS: Case[] = [
  ['lock *(u32 *)(r1 + 3) += w2', atomic(Size.W, 1, 2, 3, AtomicOp.ADD)],
  ['lock *(u64 *)(r1 - 3) |= r2', atomic(Size.DW, 1, 2, -3, AtomicOp.OR)],
  ['lock *(u32 *)(r1 + 3) &= w2', atomic(Size.W, 1, 2, 3, AtomicOp.AND)],
  ['lock *(u64 *)(r1 + 3) ^= r2', atomic(Size.DW, 1, 2, 3, AtomicOp.XOR)],
  ['w2 = atomic_fetch_add((u32 *)(r1 + 3), w2)', atomic(Size.W, 1, 2, 3, AtomicOp.ADD | AtomicOp.FETCH)],
  ['r2 = atomic_fetch_or((u64 *)(r1 + 3), r2)', atomic(Size.DW, 1, 2, 3, AtomicOp.OR | AtomicOp.FETCH)],
  ['w2 = atomic_fetch_and((u32 *)(r1 + 3), w2)', atomic(Size.W, 1, 2, 3, AtomicOp.AND | AtomicOp.FETCH)],
  ['r2 = atomic_fetch_xor((u64 *)(r1 + 3), r2)', atomic(Size.DW, 1, 2, 3, AtomicOp.XOR | AtomicOp.FETCH)],
  ['w2 = xchg32_32(r1 + 3, w2)', atomic(Size.W, 1, 2, 3, AtomicOp.XCHG)],
  ['r2 = xchg_64(r1 + 3, r2)', atomic(Size.DW, 1, 2, 3, AtomicOp.XCHG)],
  ['w0 = cmpxchg32_32(r1 + 3, w0, w2)', atomic(Size.W, 1, 2, 3, AtomicOp.CMPXCHG)],
  ['r0 = cmpxchg_64(r1 + 3, r0, r2)', atomic(Size.DW, 1, 2, 3, AtomicOp.CMPXCHG)],
  ['w0 = load_acquire((u8 *)(r1 + 0))', atomic(Size.B, 0, 1, 0, AtomicOp.LOAD_ACQ)],
  ['w0 = load_acquire((u16 *)(r1 - 2))', atomic(Size.H, 0, 1, -2, AtomicOp.LOAD_ACQ)],
  ['w0 = load_acquire((u32 *)(r1 + 0))', atomic(Size.W, 0, 1, 0, AtomicOp.LOAD_ACQ)],
  ['r0 = load_acquire((u64 *)(r1 + 0))', atomic(Size.DW, 0, 1, 0, AtomicOp.LOAD_ACQ)],
  ['store_release((u8 *)(r1 + 0), w2)', atomic(Size.B, 1, 2, 0, AtomicOp.STORE_REL)],
  ['store_release((u32 *)(r1 + 0), w2)', atomic(Size.W, 1, 2, 0, AtomicOp.STORE_REL)],
  ['store_release((u64 *)(r1 + 8), r2)', atomic(Size.DW, 1, 2, 8, AtomicOp.STORE_REL)],
];

const INVALID: Case[] = [
  ['<unknown>', insn(0xff, 0, 0, 0, 0)],
  ['<unknown>', insn(EXIT, 0, 0, 0, 1)],
  ['<unknown>', alu(ALU64, AluOp.ADD, K, 11, 0, 0, 1)],
  ['<unknown>', alu(ALU, AluOp.END, Endian.TO_LE, 1, 0, 0, 8)],
  ['<unknown>', atomic(Size.B, 1, 2, 0, AtomicOp.ADD)],
];

describe('formatInstruction', () => {
  it.each(ARITHMETIC)('arithmetic - %s', (text, i) => expect(formatInstruction(i)).toBe(text));
  it.each(JUMPS)('jumps and calls - %s', (text, i) => expect(formatInstruction(i)).toBe(text));
  it.each(LOADS_AND_STORES)('loads and stores - %s', (text, i) => expect(formatInstruction(i)).toBe(text));
  it.each(ATOMICS)('atomics - %s', (text, i) => expect(formatInstruction(i)).toBe(text));
  it.each(INVALID)('an instruction checkInstruction rejects prints %s', (text, i) =>
    expect(formatInstruction(i)).toBe(text),
  );

  it.each<Case>([
    ['call pc+4', insn(CALL, 0, 1, 0, 4)],
    ['call pc-1', insn(CALL, 0, 1, 0, -1)],
    ['call kfunc#12345', insn(CALL, 0, 2, 0, 12345)],
    ['call kfunc#12345 (fd_array[3])', insn(CALL, 0, 2, 3, 12345)],
    ['call 4', insn(CALL, 0, 0, 0, 4)],
    ['ld_pseudo\tr1, 2, 4, 8', insn(LD_IMM64, 1, 2, 0, 4, 8)],
    ['ld_pseudo\tr1, 1, 4', insn(LD_IMM64, 1, 1, 0, 4, 0)],
    ['r1 = 5 ll', insn(LD_IMM64, 1, 0, 0, 5, 0)],
  ])('explicit pseudo style - %s', (text, i) => expect(formatInstruction(i, { pseudo: 'explicit' })).toBe(text));
});

describe('disassemble', () => {
  const program = [
    alu(ALU64, AluOp.MOV, K, 0, 0, 0, 0),
    lddw(1, 0, 21474836484n),
    alu(JMP, JmpOp.JEQ, K, 1, 0, 1, 4),
    insn(JA, 0, 0, -5, 0),
    insn(EXIT, 0, 0, 0, 0),
  ];

  it('default layout - slot numbers right-aligned to the widest, lddw takes two slots', () => {
    const long = [...program, ...Array.from({ length: 6 }, () => insn(EXIT, 0, 0, 0, 0))];
    expect(disassemble(long).split('\n').slice(0, 5)).toEqual([
      ' 0: r0 = 0',
      ' 1: r1 = 21474836484 ll',
      ' 3: if r1 == 4 goto +1',
      ' 4: goto -5',
      ' 5: exit',
    ]);
    expect(disassemble(long).split('\n').at(-1)).toBe('11: exit');
  });

  it('llvmObjdump layout - reproduces llvm-objdump -d lines without the jump annotation', () => {
    expect(disassemble(program, { llvmObjdump: true })).toBe(
      [
        '       0:\tb7 00 00 00 00 00 00 00\tr0 = 0',
        '       1:\t18 01 00 00 04 00 00 00 00 00 00 00 05 00 00 00\tr1 = 21474836484 ll',
        '       3:\t15 01 01 00 04 00 00 00\tif r1 == 4 goto +1',
        '       4:\t05 00 fb ff 00 00 00 00\tgoto -5',
        '       5:\t95 00 00 00 00 00 00 00\texit',
      ].join('\n'),
    );
  });

  it('llvmObjdump layout - big-endian bytes swap the register nibbles', () => {
    expect(disassemble([program[2]!], { llvmObjdump: true, endian: 'big' })).toBe(
      '       0:\t15 10 00 01 00 00 00 04\tif r1 == 4 goto +1',
    );
  });

  it('labels - a label line before each jump target, and the jump names it', () => {
    expect(disassemble(program, { labels: true }).split('\n')).toEqual([
      'LBB0_0:',
      '0: r0 = 0',
      '1: r1 = 21474836484 ll',
      '3: if r1 == 4 goto +1 <LBB0_5>',
      '4: goto -5 <LBB0_0>',
      'LBB0_5:',
      '5: exit',
    ]);
  });

  it('labels - a jump out of the program or into a lddw gets no label', () => {
    const wild = [
      insn(JA, 0, 0, 5, 0), // lands past the end
      lddw(1, 0, 1n),
      insn(JA, 0, 0, -2, 0), // lands in the lddw's second slot
      insn(JA32, 0, 0, 0, -2),
      insn(EXIT, 0, 0, 0, 0),
    ];
    expect(disassemble(wild, { labels: true }).split('\n')).toEqual([
      '0: goto +5',
      '1: r1 = 1 ll',
      'LBB0_3:',
      '3: goto -2',
      '4: gotol -2 <LBB0_3>',
      '5: exit',
    ]);
  });

  it('an empty program is an empty listing', () => {
    expect(disassemble([])).toBe('');
  });
});
