import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../asm/assemble.js';
import { disassemble } from '../asm/disasm.js';
import { bytesToHex, decode, encode } from '../insn/codec.js';
import { parseDataFile } from './data-file.js';
import { readAssembledTests } from './assembled.js';
import { findConformanceDir } from './locate.js';

const suite = findConformanceDir(import.meta.dirname);
const assembled = readAssembledTests(suite);

describe('conformance suite - assembler and disassembler', () => {
  it('has all 313 programs', () => {
    expect(assembled).toHaveLength(313);
  });

  it.each(assembled.map((t) => [t.file, t.code]))('%s assembles to the suite bytes and round-trips', (file, code) => {
    const data = parseDataFile(readFileSync(join(suite, 'tests', file), 'utf8'));
    const bytes = data.asm !== undefined ? encode(assemble(data.asm)) : data.raw!;
    expect(bytesToHex(bytes)).toBe(code);
    // LLVM syntax out, and back in: the same bytes.
    const text = disassemble(decode(bytes), { pseudo: 'explicit' }).replace(/^\s*\d+: /gm, '');
    expect(bytesToHex(encode(assemble(text, { syntax: 'llvm' })))).toBe(code);
    // With labels at jump targets, too.
    const labelled = disassemble(decode(bytes), { labels: true, pseudo: 'explicit' })
      .replace(/^\s*\d+: /gm, '')
      .replace(/(goto|gotol) [+-]\d+ <(LBB0_\d+)>/g, '$1 $2');
    expect(bytesToHex(encode(assemble(labelled)))).toBe(code);
  });
});

/** Negative cases and the layer that must reject each, with what the message must say. */
const NEGATIVE: Record<string, { layer: 'assembler' | 'decoder' | 'data file' | 'runner'; message: RegExp }> = {
  'empty.data': { layer: 'data file', message: /no program/ },
  'empty_instructions.data': { layer: 'data file', message: /no program/ },
  'invalid_unknown_directive.data': { layer: 'data file', message: /unknown section "-- Unknown directive"/ },
  'invalid_imm32_dec_range.data': { layer: 'assembler', message: /32-bit immediate 2147483648 is out of range/ },
  'invalid_imm32_hex_range.data': { layer: 'assembler', message: /32-bit immediate 0x100000000 is out of range/ },
  'invalid_label.data': { layer: 'assembler', message: /unknown label 'NOT_A_LABEL'/ },
  'invalid_lock.data': { layer: 'assembler', message: /Invalid number of operands for lock/ },
  'invalid_lock2.data': { layer: 'assembler', message: /Invalid number of operands for lock/ },
  'invalid_mnemonic.data': { layer: 'assembler', message: /unknown mnemonic 'ldxq'/ },
  'invalid_offset.data': { layer: 'assembler', message: /expected a memory operand like \[%r1\+8\], found '%r1'/ },
  'invalid_offset_range.data': { layer: 'assembler', message: /16-bit offset \+0x10000 is out of range/ },
  'invalid_operand_count.data': { layer: 'assembler', message: /'lddw' takes 2 operands, found 1/ },
  'invalid_register.data': { layer: 'assembler', message: /invalid register %r50/ },
  // These two are valid programs whose expectation is wrong on purpose: they test a runner.
  'error.data': { layer: 'runner', message: /./ },
  'incorrect_return_value_high_bits.data': { layer: 'runner', message: /./ },
};

/** Reserved fields; a MOV with an offset reads as a sign-extending move or an arena cast, so it says which offsets those take. */
const UNUSED_FIELD = /reserved field \w+ must be 0|sign-extending move takes off 8, 16, found 1|address space cast takes imm 1 or 0x10000, found 0/;

/** Reads a negative file the way a loader would: data file, then assembler, then decoder. */
function load(text: string): Uint8Array {
  const data = parseDataFile(text);
  if (data.asm === undefined && data.raw === undefined) throw new Error('data file: no program (neither -- asm nor -- raw)');
  const bytes = data.asm !== undefined && data.asm.trim() !== '' ? encode(assemble(data.asm)) : (data.raw ?? new Uint8Array());
  if (bytes.length === 0) throw new Error('data file: no program in the -- asm section');
  decode(bytes);
  return bytes;
}

describe('conformance suite - negative cases are rejected with a clear message', () => {
  const dir = join(suite, 'negative');
  const files = readdirSync(dir).filter((f) => f.endsWith('.data')).sort();

  it.each(files)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const expected = NEGATIVE[file] ?? (file.startsWith('unused-') ? { layer: 'decoder', message: UNUSED_FIELD } : undefined);
    expect(expected, `${file} has no expectation in this test`).toBeDefined();
    if (expected!.layer === 'runner') {
      expect(() => load(text)).not.toThrow();
      return;
    }
    expect(() => load(text)).toThrow(expected!.message);
  });
});
