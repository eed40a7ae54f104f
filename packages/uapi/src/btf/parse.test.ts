import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BtfError } from './errors.js';
import { encodeBtf } from './encode.js';
import { parseBtf, parseBtfHeader } from './parse.js';
import { btfTypeOfKind } from './query.js';
import type { Btf } from './types.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./testdata/${name}`, import.meta.url)));
const FIXTURES = ['xdp_parser.btf', 'tracing.btf', 'map_in_map.btf', 'xdp_parser.bpfeb.btf'];

describe('BTF parse - clang objects', () => {
  it('reads the header of both byte orders', () => {
    expect(parseBtfHeader(fixture('xdp_parser.btf'))).toEqual({
      endian: 'little',
      version: 1,
      flags: 0,
      hdrLen: 24,
      typeOff: 0,
      typeLen: 0x4d4,
      strOff: 0x4d4,
      strLen: 0x78f,
    });
    expect(parseBtfHeader(fixture('xdp_parser.bpfeb.btf'))).toMatchObject({ endian: 'big', typeLen: 0x4d4, strLen: 0x78f });
  });

  it('reads every kind clang emits, names resolved', () => {
    const btf = parseBtf(fixture('tracing.btf'));
    expect(btf.types).toHaveLength(87);
    expect(btf.types[0]).toEqual({ kind: 'VOID', name: '' });
    expect(btf.types[2]).toEqual({ kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 });
    expect(btf.types[28]).toMatchObject({ kind: 'STRUCT', name: 'task_struct', size: 56, kflag: false });
    expect(btfTypeOfKind(btf, 28, 'STRUCT').members[3]).toEqual({ name: 'comm', type: 30, bitOffset: 96, bitfieldSize: 0 });
    expect(btf.types[59]).toEqual({
      kind: 'ENUM',
      name: 'task_state',
      size: 4,
      signed: false,
      values: [
        { name: 'TASK_RUNNING', value: 0 },
        { name: 'TASK_INTERRUPTIBLE', value: 1 },
        { name: 'TASK_UNINTERRUPTIBLE', value: 2 },
      ],
    });
    expect(btf.types[63]).toEqual({ kind: 'FUNC', name: 'sum_step', type: 62, linkage: 0 });
    expect(btf.types[62]).toEqual({ kind: 'FUNC_PROTO', name: '', returnType: 2, params: [{ name: 'index', type: 12 }, { name: 'ctx', type: 60 }] });
    expect(btf.types[45]).toEqual({ kind: 'FUNC', name: 'bpf_rcu_read_lock', type: 44, linkage: 2 });
    expect(btf.types[75]).toEqual({ kind: 'VAR', name: 'bpf_prog_active', type: 74, linkage: 2 });
    expect(btf.types[83]).toEqual({
      kind: 'DATASEC',
      name: '.ksyms',
      size: 0,
      vars: [
        { type: 45, offset: 0, size: 0 },
        { type: 47, offset: 0, size: 0 },
        { type: 75, offset: 0, size: 4 },
      ],
    });
  });

  it('little- and big-endian builds of one source give the same types', () => {
    expect(parseBtf(fixture('xdp_parser.bpfeb.btf')).types).toEqual(parseBtf(fixture('xdp_parser.btf')).types);
  });

  it.each(FIXTURES)('%s encodes back to the same bytes', (name) => {
    const bytes = fixture(name);
    const btf = parseBtf(bytes);
    expect(Buffer.from(encodeBtf(btf, { endian: btf.header.endian })).equals(Buffer.from(bytes))).toBe(true);
  });

  it.each(FIXTURES)('%s encodes with a fresh string table to the same model', (name) => {
    const btf = parseBtf(fixture(name));
    const fresh = encodeBtf(btf, { strings: null });
    expect(fresh.length).toBeLessThan(fixture(name).length);
    expect(parseBtf(fresh).types).toEqual(btf.types);
  });
});

describe('BTF encode - a model built in memory', () => {
  const model: Btf = {
    types: [
      { kind: 'VOID', name: '' },
      { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 },
      { kind: 'STRUCT', name: 'flags', size: 4, kflag: true, members: [{ name: 'a', type: 1, bitOffset: 0, bitfieldSize: 3 }, { name: 'b', type: 1, bitOffset: 3, bitfieldSize: 29 }] },
      { kind: 'ENUM64', name: 'big', size: 8, signed: true, values: [{ name: 'MIN', value: -(2n ** 63n) }, { name: 'ONE', value: 1n }] },
      { kind: 'FWD', name: 'later', union: true },
      { kind: 'FLOAT', name: 'double', size: 8 },
      { kind: 'TYPE_TAG', name: 'user', type: 1 },
      { kind: 'PTR', name: '', type: 6 },
      { kind: 'FUNC_PROTO', name: '', returnType: 1, params: [{ name: 'p', type: 7 }] },
      { kind: 'FUNC', name: 'f', type: 8, linkage: 1 },
      { kind: 'DECL_TAG', name: 'hot', type: 9, componentIdx: 0 },
      { kind: 'ENUM', name: 'neg', size: 4, signed: true, values: [{ name: 'M1', value: -1 }] },
    ],
  };

  it.each(['little', 'big'] as const)('round-trips every kind, %s-endian', (endian) => {
    const bytes = encodeBtf(model, { endian });
    const back = parseBtf(bytes);
    expect(back.header.endian).toBe(endian);
    expect(back.types).toEqual(model.types);
  });

  it('refuses a name with a NUL in it', () => {
    const bad: Btf = { types: [model.types[0]!, { kind: 'INT', name: 'a\0b', size: 4, encoding: 0, bitsOffset: 0, bits: 32 }] };
    expect(() => encodeBtf(bad)).toThrow(BtfError);
  });
});
