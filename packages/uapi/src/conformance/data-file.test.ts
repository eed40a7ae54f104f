import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex } from '../insn/codec.js';
import { describe, expect, it } from 'vitest';
import { DataFileError, parseDataFile } from './data-file.js';
import { findConformanceDir } from './locate.js';

const suiteDir = findConformanceDir(dirname(fileURLToPath(import.meta.url)));
const read = (path: string): string => readFileSync(join(suiteDir, path), 'utf8');

describe('conformance data file', () => {
  it('conformance - reads asm, mem and result, dropping comments', () => {
    const file = parseDataFile(read('tests/rfc9669_call_local.data'));
    expect(file.asm?.split('\n')[0]).toBe('mov %r1, 1');
    expect(file.asm).not.toContain('#');
    expect(file.asm).toContain('func1:');
    expect(file.result).toBe(1n);
    expect(file.mem).toEqual(new Uint8Array(0));
    expect(file.raw).toBeUndefined();
    expect(file.error).toBeUndefined();
  });

  it('conformance - reads raw 64-bit words as little-endian slots', () => {
    const file = parseDataFile(read('tests/lddw.data'));
    expect(bytesToHex(file.raw!)).toBe('18000000887766550000000044332211' + '9500000000000000');
    expect(file.result).toBe(0x1122_3344_5566_7788n);
  });

  it('conformance - reads memory and the register-offset marker', () => {
    const file = parseDataFile(read('tests/mem-len.data'));
    expect([...file.mem]).toEqual([0, 0, 0, 1, 0, 0, 0, 2]);
    expect(file.noRegisterOffset).toBe(true);
    expect(file.result).toBe(8n);
  });

  it('conformance - keeps the C section verbatim, # lines included', () => {
    const file = parseDataFile(read('tests/prime.data'));
    expect(file.c).toMatch(/^#include <stdint.h>/);
    expect(file.asm).toMatch(/^mov %r1, 67/);
  });

  it('conformance - reads raw byte lines and an empty error section', () => {
    const file = parseDataFile(read('negative/unused-call-dst.data'));
    expect(bytesToHex(file.raw!)).toBe('8501000000000000' + '9500000000000000');
    expect(file.error).toBe('');
    expect(file.result).toBeUndefined();
  });

  it('conformance - reads an error text', () => {
    expect(parseDataFile(read('negative/invalid_lock.data')).error).toBe('Invalid number of operands for lock');
  });

  it('conformance - rejects an unknown section', () => {
    expect(() => parseDataFile(read('negative/invalid_unknown_directive.data'))).toThrow(DataFileError);
    expect(() => parseDataFile(read('negative/invalid_unknown_directive.data'))).toThrow(
      'data file: line 4: unknown section "-- Unknown directive"',
    );
  });

  it.each([
    ['a bad memory byte', '-- mem\n00 zz\n', 'line 2: "zz" is not a hex byte'],
    ['a bad result', '-- result\n0xg\n', 'line 2: "0xg" is not a number'],
    ['a bad raw word', '-- raw\n0x1ffffffffffffffff\n', 'is not a 64-bit instruction word'],
  ])('conformance - rejects %s', (_title, text, message) => {
    expect(() => parseDataFile(text)).toThrow(message);
  });

  it('conformance - handles CRLF line ends and decimal or negative results', () => {
    const file = parseDataFile('# x\r\n-- asm\r\nexit # done\r\n-- result\r\n-1\r\n');
    expect(file.asm).toBe('exit');
    expect(file.result).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('conformance - agrees with tests.assembled.jsonl on every test file', () => {
    const assembled = new Map(
      read('tests.assembled.jsonl')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { file: string; mem: string; result: string; code: string })
        .map((t) => [t.file, t]),
    );
    const files = readdirSync(join(suiteDir, 'tests')).filter((f) => f.endsWith('.data'));
    expect(files).toHaveLength(313);
    for (const name of files) {
      const file = parseDataFile(read(`tests/${name}`));
      const expected = assembled.get(name)!;
      expect(bytesToHex(file.mem), name).toBe(expected.mem);
      expect(file.result, name).toBe(BigInt.asUintN(64, BigInt(expected.result)));
      if (file.raw !== undefined) expect(bytesToHex(file.raw), name).toBe(expected.code);
      expect(file.asm ?? '', name).not.toBe('');
    }
  });
});
