import { describe, expect, it } from 'vitest';
import { bytesToHex, decode, encode } from '../insn/codec.js';
import { AsmError, asm, assemble } from './assemble.js';

/** Hex spaced one slot per group, whatever the spacing it came with. */
const slots = (hex: string): string => hex.replace(/\s/g, '').replace(/(.{16})(?=.)/g, '$1 ');
/** Assembles one line and returns its encoding as hex slots. */
const hexOf = (line: string): string => slots(bytesToHex(encode(assemble(line))));

describe('assemble - LLVM syntax', () => {
  it.each([
    ['r0 = 1', 'b700000001000000'],
    ['r1 = -1', 'b7010000ffffffff'],
    ['w1 = w2', 'bc21000000000000'],
    ['r1 = r2', 'bf21000000000000'],
    ['r1 += 4', '0701000004000000'],
    ['w3 -= w4', '1c43000000000000'],
    ['r2 *= r3', '2f32000000000000'],
    ['r2 /= 3', '3702000003000000'],
    ['r2 %= r3', '9f32000000000000'],
    ['r1 |= 0xff', '47010000ff000000'],
    ['r1 &= r2', '5f21000000000000'],
    ['r1 ^= r2', 'af21000000000000'],
    ['r1 <<= 4', '6701000004000000'],
    ['w1 >>= w2', '7c21000000000000'],
    ['r1 s>>= 3', 'c701000003000000'],
    ['r1 s/= r2', '3f21010000000000'],
    ['w1 s%= 5', '9401010005000000'],
    ['r1 = -r1', '8701000000000000'],
    ['w1 = -w1', '8401000000000000'],
    ['r0 = be16 r0', 'dc00000010000000'],
    ['r1 = le32 r1', 'd401000020000000'],
    ['r1 = bswap64 r1', 'd701000040000000'],
    ['r1 = (s8)r2', 'bf21080000000000'],
    ['w1 = (s16)w2', 'bc21100000000000'],
    ['r1 = (s32)r2', 'bf21200000000000'],
    ['r1 = addr_space_cast(r2, 0, 1)', 'bf21010001000000'],
    ['r0 = 0x1122334455667788 ll', '1800000088776655 0000000044332211'],
    ['r1 = -1 ll', '18010000ffffffff 00000000ffffffff'],
    ['ld_pseudo r1, 1, 4', '1811000004000000 0000000000000000'],
    ['ld_pseudo r2, 2, 7, 16', '1822000007000000 0000000010000000'],
    ['ld_pseudo r1, 6, 4294967295', '18610000ffffffff 0000000000000000'],
    ['call pc+4', '8510000004000000'],
    ['call pc-2', '85100000feffffff'],
    ['call kfunc#1234', '85200000d2040000'],
    ['call kfunc#7 (fd_array[2])', '8520020007000000'],
    ['r0 = *(u8 *)(r1 + 2)', '7110020000000000'],
    ['r0 = *(u64 *)(r10 - 8)', '79a0f8ff00000000'],
    ['w0 = *(u32 *)(r1 + 0)', '6110000000000000'],
    ['r0 = *(s16 *)(r1 + 4)', '8910040000000000'],
    ['*(u32 *)(r10 - 4) = r1', '631afcff00000000'],
    ['*(u64 *)(r10 - 8) = 5', '7a0af8ff05000000'],
    ['r0 = *(u16 *)skb[5]', '2800000005000000'],
    ['r0 = *(u32 *)skb[r3]', '4030000000000000'],
    ['r0 = *(u16 *)skb[r7 + 1]', '4870000001000000'],
    ['r0 = *(u8 *)skb[r7 - 2]', '50700000feffffff'],
    ['lock *(u64 *)(r0 + 0) += r1', 'db10000000000000'],
    ['lock *(u32 *)(r1 + 3) |= w2', 'c321030040000000'],
    ['r2 = atomic_fetch_and((u64 *)(r1 + 3), r2)', 'db21030051000000'],
    ['w2 = atomic_fetch_xor((u32 *)(r1 + 3), w2)', 'c3210300a1000000'],
    ['r2 = xchg_64(r1 + 3, r2)', 'db210300e1000000'],
    ['w2 = xchg32_32(r1 + 3, w2)', 'c3210300e1000000'],
    ['r0 = cmpxchg_64(r1 + 3, r0, r2)', 'db210300f1000000'],
    ['w0 = cmpxchg32_32(r1 + 3, w0, w2)', 'c3210300f1000000'],
    ['r0 = load_acquire((u64 *)(r1 + 0))', 'db10000000010000'],
    ['w0 = load_acquire((u8 *)(r1 + 4))', 'd310040000010000'],
    ['store_release((u32 *)(r1 + 0), w2)', 'c321000010010000'],
    ['if r1 > r2 goto +3', '2d21030000000000'],
    ['if w1 s> 5 goto -1', '6601ffff05000000'],
    ['if r1 & r2 goto +0', '4d21000000000000'],
    ['if r1 s<= -2147483648 goto +1', 'd501010000000080'],
    ['goto +2', '0500020000000000'],
    ['gotol -70000', '0600000090eefeff'],
    ['may_goto +4', 'e500040000000000'],
    ['call 5', '8500000005000000'],
    ['callx r2', '8d02000000000000'],
    ['exit', '9500000000000000'],
  ])('%s', (line, hex) => {
    expect(hexOf(line)).toBe(slots(hex));
  });
});

describe('assemble - conformance syntax', () => {
  it.each([
    ['mov32 %r0, 1', 'b400000001000000'],
    ['mov %r1, -1', 'b7010000ffffffff'],
    ['add64 %r1, %r2', '0f21000000000000'],
    ['sdiv32 %r1, 3', '3401010003000000'],
    ['smod %r1, %r2', '9f21010000000000'],
    ['neg32 %r2', '8402000000000000'],
    ['be16 %r3', 'dc03000010000000'],
    ['le64 %r3', 'd403000040000000'],
    ['bswap32 %r0', 'd700000020000000'],
    ['swap16 %r0', 'd700000010000000'],
    ['movsx1664 %r0, %r1', 'bf10100000000000'],
    ['movsx832 %r2, %r3', 'bc32080000000000'],
    ['ldxh %r0, [%r1+2]', '6910020000000000'],
    ['ldxdw %r0, [%r10-8]', '79a0f8ff00000000'],
    ['ldxsb %r0, [%r10-1]', '91a0ffff00000000'],
    ['ldxw %r0, [%r1]', '6110000000000000'],
    ['stb [%r10-1], 0x11', '720affff11000000'],
    ['stxdw [%r10-8], %r1', '7b1af8ff00000000'],
    ['lddw %r0, 0x1122334455667788', '1800000088776655 0000000044332211'],
    ['ldabsh 12', '280000000c000000'],
    ['ldindb %r3, 1', '5030000001000000'],
    ['lock add [%r10-8], %r1', 'db1af8ff00000000'],
    ['lock fetch or32 [%r10-4], %r3', 'c33afcff41000000'],
    ['lock xchg32 [%r10-8], %r1', 'c31af8ffe1000000'],
    ['lock cmpxchg [%r10-8], %r1', 'db1af8fff1000000'],
    ['jeq %r1, 0xb, +1', '150101000b000000'],
    ['jsge32 %r1, %r2, -2', '7e21feff00000000'],
    ['ja +3', '0500030000000000'],
    ['ja32 -4', '06000000fcffffff'],
    ['call 5', '8500000005000000'],
    ['call %r2', '8d02000000000000'],
  ])('%s', (line, hex) => {
    expect(hexOf(line)).toBe(slots(hex));
  });
});

describe('assemble - labels', () => {
  it('resolves forward and backward labels to slot offsets, counting lddw as two slots', () => {
    const prog = assemble(`
      start:
        lddw %r0, 1
        jeq %r0, 1, done   # forward over one slot
        ja start
      done: exit`);
    expect(prog.map((i) => i.off)).toEqual([0, 1, -4, 0]);
  });

  it('treats the first exit as the label exit, as the conformance suite does', () => {
    expect(assemble('ja exit\nmov %r0, 1\nexit\nexit')[0]!.off).toBe(1);
  });

  it('resolves bpf-to-bpf calls and gotol through the immediate', () => {
    const prog = assemble('call local f\ngotol end\nf: r0 = 1\nend: exit');
    expect(prog[0]).toMatchObject({ src: 1, imm: 1 });
    expect(prog[1]).toMatchObject({ imm: 1, off: 0 });
  });

  it('resolves a function label in ld_pseudo src 4 (a function address) through the immediate', () => {
    const prog = assemble('ld_pseudo r2, 4, cb\nexit\ncb: r0 = 0\nexit');
    expect(prog[0]).toMatchObject({ opcode: 0x18, dst: 2, src: 4, imm: 2, imm2: 0 });
  });

  it('accepts both syntaxes in one text and every comment style', () => {
    const prog = asm`
      r0 = 0          // LLVM
      add %r0, 2      # conformance
      r0 *= 3         ; assembler comment
      exit`;
    expect(decode(encode(prog))).toEqual(prog);
    expect(prog).toHaveLength(4);
  });
});

describe('assemble - errors name the line and say what is wrong', () => {
  it.each([
    ['mov32 %r0, 2147483648', /line 1: a 32-bit immediate 2147483648 is out of range/],
    ['mov32 %r0, 0x100000000', /out of range: it must fit in 32 bits/],
    ['ja NOT_A_LABEL\nexit', /line 1: unknown label 'NOT_A_LABEL'/],
    ['lock or [%r10-8]', /Invalid number of operands for lock/],
    ['lock', /Invalid number of operands for lock/],
    ['ldxq %r0, %r1', /unknown mnemonic 'ldxq'/],
    ['ldxb %r0, %r1', /expected a memory operand/],
    ['ldxb %r0, [%r1+0x10000]', /16-bit offset \+0x10000 is out of range/],
    ['lddw %r0', /'lddw' takes 2 operands, found 1/],
    ['or %r0, %r50', /invalid register %r50/],
    ['r11 = 1', /invalid register r11/],
    ['w1 += r2', /does not match the 32-bit operation/],
    ['r1 = *(u8 *)(w2 + 0)', /64-bit register/],
    ['a: exit\na: exit', /line 2: label 'a' is defined twice/],
    ['# nothing', /no instructions/],
  ])('%s', (text, message) => {
    expect(() => assemble(text)).toThrow(AsmError);
    expect(() => assemble(text)).toThrow(message);
  });
});
