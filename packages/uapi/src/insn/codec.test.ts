import { describe, expect, it } from 'vitest';
import { InsnDecodeError } from '../errors.js';
import { decode, encode, hexToBytes } from './codec.js';
import { imm64Of, insn, splitImm64 } from './instruction.js';
import { LD_IMM64 } from './opcode.js';

describe('codec', () => {
  it('decode - splits the slot fields little-endian', () => {
    const [i] = decode(hexToBytes('55 01 fe ff 05 00 00 80'));
    expect(i).toEqual({ opcode: 0x55, dst: 1, src: 0, off: -2, imm: -2147483643 });
  });

  it('decode - lddw is one instruction two slots wide', () => {
    const insns = decode(hexToBytes('1800000088776655 0000000044332211 9500000000000000'));
    expect(insns).toHaveLength(2);
    expect(imm64Of(insns[0]!)).toBe(0x1122334455667788n);
  });

  it('encode - round-trips both byte orders', () => {
    const prog = [insn(0xbf, 1, 2, 0, 0), insn(LD_IMM64, 3, 0, 0, splitImm64(-5n).imm, splitImm64(-5n).imm2), insn(0x95, 0, 0, 0, 0)];
    for (const endian of ['little', 'big'] as const) {
      expect(decode(encode(prog, { endian }), { endian })).toEqual(prog);
    }
    expect(encode([insn(0xbf, 1, 2, 0, 0)], { endian: 'big' })[1]).toBe(0x12);
  });

  it.each([
    ['empty input', '', /no instructions/],
    ['a length that is not a multiple of 8', '9500000000000000 95', /instruction 1: truncated/],
    ['a lddw without its second slot', '9500000000000000 1800000000000000', /instruction 1: truncated: lddw/],
    ['a lddw whose second slot has an opcode', '1800000000000000 0100000000000000', /second slot/],
    ['an unknown opcode', 'ff00000000000000', /unknown opcode/],
    ['a register above r10', 'b70b000000000000', /invalid dst register r11/],
    ['exit with imm set', '9500000001000000', /reserved field imm/],
    ['a sign-extending load of 8 bytes', '9900000000000000', /unknown opcode/],
    ['an atomic op on a byte', 'd300000000000000', /32 or 64-bit/],
  ])('decode - rejects %s', (_title, hex, message) => {
    expect(() => decode(hexToBytes(hex))).toThrow(message);
    expect(() => decode(hexToBytes(hex))).toThrow(InsnDecodeError);
  });

  it('decode - names the instruction index and slot after a lddw', () => {
    expect(() => decode(hexToBytes('1800000000000000 0000000000000000 9500000001000000'))).toThrow(
      'decode: instruction 1 (slot 2): BPF_JMP|BPF_EXIT|BPF_K (0x95): reserved field imm must be 0, found 1',
    );
  });
});
