import { MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { hexBytes } from './hex.js';
import { JsonWriter } from './json-writer.js';
import { entryErrorPlain } from './map-entry-error.js';
import { entryPlain, nextKeyPlain, notFoundPlain, perCpuValues, writeEntryJson } from './map-entry.js';

const seq = (n: number, from = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
const hash = (key_size: number, value_size: number) => ({ map_type: MapType.HASH, key_size, value_size });

describe('hexBytes prints bytes as bpftool fprint_hex does', () => {
  it.each([
    [0, ''],
    [4, '00 01 02 03'],
    [9, '00 01 02 03 04 05 06 07  08'],
    [17, '00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f\n10'],
  ])('%i bytes', (n, expected) => {
    expect(hexBytes(seq(n))).toBe(expected);
  });
});

describe('entryPlain prints an element as bpftool map dump does', () => {
  it.each([
    ['key 4, value 8: one line', hash(4, 8), seq(4, 1), seq(8, 0x2a), 'key: 01 02 03 04  value: 2a 2b 2c 2d 2e 2f 30 31\n'],
    ['key 8, value 16 (24 bytes): one line', hash(8, 16), seq(8), seq(16), `key: ${hexBytes(seq(8))}  value: ${hexBytes(seq(16))}\n`],
    ['key 12, value 16 (28 bytes): two lines', hash(12, 16), seq(12), seq(16), `key: ${hexBytes(seq(12))}\nvalue: ${hexBytes(seq(16))}\n`],
    ['value 20: names on lines of their own', hash(4, 20), seq(4), seq(20), `key:\n00 01 02 03\nvalue:\n${hexBytes(seq(20))}\n`],
    ['queue (no key)', { map_type: MapType.QUEUE, key_size: 0, value_size: 4 }, seq(0), seq(4), 'value: 00 01 02 03\n'],
  ])('%s', (_title, layout, key, value, expected) => {
    expect(entryPlain(layout, key, value)).toBe(expected);
  });

  it('a per-CPU value prints one line per CPU, each slot cut to value_size', () => {
    const layout = { map_type: MapType.PERCPU_ARRAY, key_size: 4, value_size: 4 };
    const value = Uint8Array.from([1, 0, 0, 0, 0xee, 0xee, 0xee, 0xee, 2, 0, 0, 0, 0xee, 0xee, 0xee, 0xee]);
    expect(perCpuValues(layout, value)).toHaveLength(2);
    expect(entryPlain(layout, seq(4), value)).toBe('key:\n00 01 02 03\nvalue (CPU 00): 01 00 00 00\nvalue (CPU 01): 02 00 00 00\n');
  });

  it('JSON: hex strings, and per CPU a values array', () => {
    let out = '';
    const json = new JsonWriter((t) => (out += t));
    writeEntryJson(json, hash(2, 1), Uint8Array.from([1, 0]), Uint8Array.from([0x2a]));
    writeEntryJson(json, { map_type: MapType.PERCPU_HASH, key_size: 1, value_size: 1 }, Uint8Array.from([7]), Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    expect(out).toBe('{"key":["0x01","0x00"],"value":["0x2a"]},{"key":["0x07"],"values":[{"cpu":0,"value":["0x01"]},{"cpu":1,"value":["0x02"]}]}');
  });
});

describe('lookup and getnext texts', () => {
  it.each([
    ['not found', notFoundPlain(seq(4)), 'key:\n00 01 02 03\n\nNot found\n'],
    ['getnext from the start', nextKeyPlain(undefined, seq(2)), 'key: None\nnext key:\n00 01\n'],
    ['getnext after a key', nextKeyPlain(seq(2), seq(2, 5)), 'key:\n00 01\nnext key:\n05 06\n'],
    ['an unreadable element', entryErrorPlain(seq(4), '<no entry>'), 'key: 00 01 02 03  value: <no entry>\n'],
    ['an unreadable element, long reason', entryErrorPlain(seq(4), 'Operation not permitted'), 'key:\n00 01 02 03\nvalue:\nOperation not permitted\n'],
  ])('%s', (_title, actual, expected) => {
    expect(actual).toBe(expected);
  });
});
