import { describe, expect, it } from 'vitest';
import { JsonWriter } from './json-writer.js';
import { hexDump, runResultPlain, writeDataJson } from './run-output.js';

describe('prog run output', () => {
  it.each([
    ['empty', '', ''],
    ['one full line', '0123456789abcdef', '0000000\t3031 3233 3435 3637 3839 6162 6364 6566 | 01234567 89abcdef\n'],
    ['an odd tail, unprintable bytes as dots', '\u0000\u0001\u007fA\u0010', `0000000\t${'0001 7f41 10 '.padEnd(40)}| ...A.\n`],
    ['a second line at offset 0x10', 'x'.repeat(17), `0000000\t${'7878 '.repeat(8)}| xxxxxxxx xxxxxxxx\n0000010\t${'78 '.padEnd(40)}| x\n`],
  ])('hexDump: %s', (_title, text, expected) => {
    expect(hexDump(Buffer.from(text, 'latin1'))).toBe(expected);
  });

  it.each([
    [1, 'Return value: 2, duration: 35ns\n'],
    [10, 'Return value: 2, duration (average): 35ns\n'],
  ])('the result line after %i run(s)', (repeat, expected) => {
    expect(runResultPlain(2, 35, repeat)).toBe(expected);
  });

  it('JSON data are arrays of byte values', () => {
    let out = '';
    const json = new JsonWriter((t) => (out += t));
    json.startObject();
    writeDataJson(json, 'data_out', Uint8Array.of(1, 255));
    json.endObject();
    expect(out).toBe('{"data_out":[1,255]}');
  });
});
