import { assemble, insn } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { JsonWriter } from './json-writer.js';
import { writeXlatedJson, xlatedPlain, xlatedText } from './xlated.js';

describe('xlated listing', () => {
  it.each([
    ['a map by id', insn(0x18, 1, 1, 0, 4, 0), 'r1 = map[id:4]'],
    ['a map value', insn(0x18, 2, 2, 0, 4, 8), 'r2 = map[id:4][0]+8'],
    ['a helper by name', insn(0x85, 0, 0, 0, 1), 'call bpf_map_lookup_elem#1'],
    ['an unknown helper', insn(0x85, 0, 0, 0, 999999), 'call 999999'],
    ['a bpf-to-bpf call', insn(0x85, 0, 1, 0, -3), 'call pc-3'],
    ['anything else in LLVM syntax', insn(0xb7, 0, 0, 0, 2), 'r0 = 2'],
  ])('%s', (_title, instruction, expected) => {
    expect(xlatedText(instruction)).toBe(expected);
  });

  it('numbers lines by slot, with opcodes the bytes below', () => {
    const program = assemble('r1 = 0x100000002 ll\nexit\n');
    expect(xlatedPlain(program, false)).toBe('   0: (18) r1 = 4294967298 ll\n   2: (95) exit\n');
    expect(xlatedPlain(program, true).split('\n')[1]).toBe('       18 01 00 00 02 00 00 00  00 00 00 00 01 00 00 00');
  });

  it('JSON: disasm, and with opcodes code, registers, off and imm (12 bytes for a lddw) in hex', () => {
    let out = '';
    const json = new JsonWriter((t) => (out += t));
    writeXlatedJson(json, [insn(0x18, 1, 1, 0, 4, 0)], true);
    expect(JSON.parse(out)).toEqual([
      {
        disasm: '(18) r1 = map[id:4]',
        opcodes: { code: '0x18', src_reg: '0x1', dst_reg: '0x1', off: ['0x00', '0x00'], imm: ['0x04', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00'] },
      },
    ]);
  });
});
