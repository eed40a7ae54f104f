import { readFileSync } from 'node:fs';
import { type Btf, MapType, findBtfType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { type ObjectSpec, readObject } from '../../object/index.js';
import { writeBtfValue } from './btf-value.js';
import { JsonWriter } from './json-writer.js';
import { entryBtfPlain, writeEntryJson } from './map-entry.js';

const spec = (name: string): ObjectSpec =>
  readObject(new Uint8Array(readFileSync(new URL(`../../../test/objects/${name}.o`, import.meta.url))), { path: `${name}.o` });

/** The JSON text writeBtfValue makes of `bytes` as type `id`. */
function dumped(btf: Btf, id: number, bytes: Uint8Array): string {
  let out = '';
  writeBtfValue(new JsonWriter((t) => (out += t)), btf, id, bytes);
  return out;
}

/** Little-endian bytes of the given fields: [value, size] pairs. */
function le(...fields: [number | bigint, number][]): Uint8Array {
  const out: number[] = [];
  for (const [value, size] of fields) {
    let v = BigInt.asUintN(size * 8, BigInt(value));
    for (let i = 0; i < size; i++, v >>= 8n) out.push(Number(v & 0xffn));
  }
  return Uint8Array.from(out);
}

describe("BTF values as bpftool's btf_dumper writes them in JSON", () => {
  const parser = spec('xdp_parser');
  const flows = parser.maps.find((m) => m.name === 'flows')!;
  const fentry = spec('fentry_core');
  const reads = fentry.maps.find((m) => m.name === 'reads')!;

  it('struct flow_key: members by name, arrays of __u8 as arrays of numbers', () => {
    const key = le([0x0100007f, 4], [0x0200000a, 4], [443, 2], [8080, 2], [6, 1], [0, 1], [0, 1], [0, 1]);
    expect(dumped(parser.btf!, flows.btfKeyTypeId, key)).toBe('{"saddr":16777343,"daddr":33554442,"sport":443,"dport":8080,"proto":6,"pad":[0,0,0]}');
  });

  it('struct seen: signed and unsigned 64-bit integers, and a char array holding a string as that string', () => {
    const comm = new TextEncoder().encode('bash');
    const value = Uint8Array.from([...le([42, 4], [41, 4], [1, 4], [0, 4], [2n ** 64n - 1n, 8], [-5, 8]), ...comm, ...new Uint8Array(16 - comm.length)]);
    expect(dumped(fentry.btf!, reads.btfValueTypeId, value)).toBe('{"pid":42,"tgid":41,"ppid":1,"pad":0,"count":18446744073709551615,"ret":-5,"comm":"bash"}');
  });

  it('a char array that is not a printable NUL-terminated string is an array of its chars (numbers: clang encodes char as signed)', () => {
    const value = Uint8Array.from([...new Uint8Array(32), 0x41, 0x01, ...new Uint8Array(14).fill(0xc2)]);
    const dump = JSON.parse(dumped(fentry.btf!, reads.btfValueTypeId, value)) as { comm: number[] };
    expect(dump.comm).toEqual([65, 1, ...new Array<number>(14).fill(-62)]);
  });

  it('a global data section: {"SECTION": [{"var": value}, …]}', () => {
    const tc = spec('tc_classifier');
    const cfg = tc.maps.find((m) => m.name === '.rodata.cfg')!;
    expect(dumped(tc.btf!, cfg.btfValueTypeId, le([0x42, 4], [1, 4]))).toBe('{".rodata.cfg":[{"mark_value":66},{"drop_proto":1}]}');
  });

  it('map dump -j: with BTF each entry carries "formatted" with the key and the value', () => {
    let out = '';
    const json = new JsonWriter((t) => (out += t));
    const layout = { map_type: MapType.LRU_HASH, key_size: 16, value_size: 16 };
    const types = { btf: parser.btf!, keyTypeId: flows.btfKeyTypeId, valueTypeId: flows.btfValueTypeId };
    writeEntryJson(json, layout, le([1, 4], [2, 4], [3, 2], [4, 2], [17, 1], [0, 3]), le([10, 8], [1500, 8]), types);
    const entry = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(entry)).toEqual(['key', 'value', 'formatted']);
    expect(entry.formatted).toEqual({ key: { saddr: 1, daddr: 2, sport: 3, dport: 4, proto: 17, pad: [0, 0, 0] }, value: { packets: 10, bytes: 1500 } });
  });

  it('per-CPU maps: "formatted" has the key and a value per CPU', () => {
    let out = '';
    const verdicts = parser.maps.find((m) => m.name === 'verdicts')!;
    const types = { btf: parser.btf!, keyTypeId: verdicts.btfKeyTypeId, valueTypeId: verdicts.btfValueTypeId };
    writeEntryJson(new JsonWriter((t) => (out += t)), { map_type: MapType.PERCPU_ARRAY, key_size: 4, value_size: 8 }, le([2, 4]), le([7, 8], [9, 8]), types);
    expect((JSON.parse(out) as { formatted: unknown }).formatted).toEqual({ key: 2, values: [{ cpu: 0, value: 7 }, { cpu: 1, value: 9 }] });
  });

  it('enums by the name of their value, bools as booleans, 128-bit integers and bitfields as hex strings', () => {
    // A BTF of our own: [1] int, [2] enum e {A = 1, B = 2}, [3] _Bool, [4] __int128, [5] struct with a 3-bit field.
    const btf = {
      types: [
        { kind: 'VOID', name: '' },
        { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 },
        { kind: 'ENUM', name: 'e', size: 4, signed: false, values: [{ name: 'A', value: 1 }, { name: 'B', value: 2 }] },
        { kind: 'INT', name: '_Bool', size: 1, encoding: 4, bitsOffset: 0, bits: 8 },
        { kind: 'INT', name: '__int128', size: 16, encoding: 1, bitsOffset: 0, bits: 128 },
        { kind: 'STRUCT', name: 's', size: 4, kflag: true, members: [{ name: 'low', type: 1, bitOffset: 0, bitfieldSize: 1 }, { name: 'mid', type: 1, bitOffset: 1, bitfieldSize: 3 }] },
      ],
    } as unknown as Btf;
    expect(dumped(btf, 2, le([2, 4]))).toBe('"B"');
    expect(dumped(btf, 2, le([7, 4]))).toBe('7');
    expect(dumped(btf, 3, le([1, 1]))).toBe('true');
    expect(dumped(btf, 4, le([2n ** 64n + 1n, 16]))).toBe('"0x10000000000000001"');
    expect(dumped(btf, 5, le([0b1011, 4]))).toBe('{"low":"0x1","mid":"0x5"}');
    expect(findBtfType(btf, 'e', 'ENUM')).toBe(2);
  });
});

describe("BTF values as bpftool's btf_dumper writes them in plain text (map dump and map lookup without -j)", () => {
  /** The text writeBtfValue makes of `bytes` as type `id` in plain text, through a pretty writer. */
  function plain(btf: Btf, id: number, bytes: Uint8Array): string {
    let out = '';
    writeBtfValue(new JsonWriter((t) => (out += t), true), btf, id, bytes, { plainText: true });
    return out;
  }

  // [1] int, [2] char, [3] __int128, [4] struct with a 3-bit field, [5] int *, [6] struct { char c; int *p; }.
  const btf = {
    types: [
      { kind: 'VOID', name: '' },
      { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 },
      { kind: 'INT', name: 'char', size: 1, encoding: 2, bitsOffset: 0, bits: 8 },
      { kind: 'INT', name: '__int128', size: 16, encoding: 1, bitsOffset: 0, bits: 128 },
      { kind: 'STRUCT', name: 's', size: 4, kflag: true, members: [{ name: 'low', type: 1, bitOffset: 0, bitfieldSize: 1 }, { name: 'mid', type: 1, bitOffset: 1, bitfieldSize: 3 }] },
      { kind: 'PTR', name: '', type: 1 },
      { kind: 'STRUCT', name: 't', size: 16, kflag: false, members: [{ name: 'c', type: 2, bitOffset: 0, bitfieldSize: 0 }, { name: 'p', type: 5, bitOffset: 64, bitfieldSize: 0 }] },
    ],
  } as unknown as Btf;

  it('128-bit integers and bitfields as bare 0x…, a char that is not printable as bare 0xNN, pointers as %p prints them', () => {
    expect(plain(btf, 3, le([2n ** 64n + 1n, 16]))).toBe('0x10000000000000001');
    expect(plain(btf, 4, le([0b1011, 4]))).toBe('{\n    "low": 0x1,\n    "mid": 0x5\n}');
    expect(plain(btf, 2, le([0x07, 1]))).toBe('0x7');
    expect(plain(btf, 2, le([0x41, 1]))).toBe('"A"');
    expect(plain(btf, 5, le([0xffff8880deadbeefn, 8]))).toBe('0xffff8880deadbeef');
    expect(plain(btf, 5, le([0, 8]))).toBe('(nil)');
    expect(plain(btf, 6, le([0xc2, 1], [0, 7], [0x1000, 8]))).toBe('{\n    "c": 0xc2,\n    "p": 0x1000\n}');
  });

  it('integers, strings and nested members as in JSON, laid out by the pretty writer', () => {
    const fentry = spec('fentry_core');
    const reads = fentry.maps.find((m) => m.name === 'reads')!;
    const comm = new TextEncoder().encode('sh');
    const value = Uint8Array.from([...le([42, 4], [41, 4], [1, 4], [0, 4], [7, 8], [-5, 8]), ...comm, ...new Uint8Array(16 - comm.length)]);
    expect(plain(fentry.btf!, reads.btfValueTypeId, value)).toBe(
      '{\n    "pid": 42,\n    "tgid": 41,\n    "ppid": 1,\n    "pad": 0,\n    "count": 7,\n    "ret": -5,\n    "comm": "sh"\n}',
    );
  });

  it('map lookup: {"key", "value"} as print_key_value writes it, with the final newline', () => {
    const parser = spec('xdp_parser');
    const flows = parser.maps.find((m) => m.name === 'flows')!;
    const types = { btf: parser.btf!, keyTypeId: flows.btfKeyTypeId, valueTypeId: flows.btfValueTypeId };
    const layout = { map_type: MapType.LRU_HASH, key_size: 16, value_size: 16 };
    expect(entryBtfPlain(layout, types, le([1, 4], [2, 4], [3, 2], [4, 2], [17, 1], [0, 3]), le([10, 8], [1500, 8]))).toBe(
      [
        '{',
        '    "key": {',
        '        "saddr": 1,',
        '        "daddr": 2,',
        '        "sport": 3,',
        '        "dport": 4,',
        '        "proto": 17,',
        '        "pad": [0,0,0',
        '        ]',
        '    },',
        '    "value": {',
        '        "packets": 10,',
        '        "bytes": 1500',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('per-CPU maps: "values" with a value per CPU; a map without a key type has no "key"', () => {
    const parser = spec('xdp_parser');
    const verdicts = parser.maps.find((m) => m.name === 'verdicts')!;
    const types = { btf: parser.btf!, keyTypeId: 0, valueTypeId: verdicts.btfValueTypeId };
    expect(entryBtfPlain({ map_type: MapType.PERCPU_ARRAY, key_size: 4, value_size: 8 }, types, le([2, 4]), le([7, 8], [9, 8]))).toBe(
      '{\n    "values": [{\n            "cpu": 0,\n            "value": 7\n        },{\n            "cpu": 1,\n            "value": 9\n        }\n    ]\n}\n',
    );
  });
});
