import { describe, expect, it } from 'vitest';
import { encodeBtf } from './encode.js';
import { BtfError } from './errors.js';
import { parseBtf } from './parse.js';
import type { Btf, BtfType } from './types.js';
import { validateBtf } from './validate.js';

const INT: BtfType = { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 };
const btfOf = (...types: BtfType[]): Btf => ({ types: [{ kind: 'VOID', name: '' }, ...types] });
const failure = (btf: Btf): string => {
  try {
    validateBtf(btf);
  } catch (err) {
    expect(err).toBeInstanceOf(BtfError);
    expect((err as BtfError).code).toBe('EINVAL');
    return (err as BtfError).message;
  }
  throw new Error('validateBtf accepted it');
};
const parseFailure = (bytes: Uint8Array): string => {
  try {
    parseBtf(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(BtfError);
    return (err as BtfError).message;
  }
  throw new Error('parseBtf accepted it');
};

/** A small valid blob to break: [1] int, [2] PTR to it. */
const blob = (): Uint8Array => encodeBtf(btfOf(INT, { kind: 'PTR', name: '', type: 1 }));
const setU32 = (bytes: Uint8Array, at: number, v: number): Uint8Array => {
  new DataView(bytes.buffer).setUint32(at, v, true);
  return bytes;
};

describe('BTF validate - the header and the sections', () => {
  it('bad magic, version, flags and header length', () => {
    expect(parseFailure(new Uint8Array(24))).toBe('BTF: bad magic 0x0000 (expected 0xeb9f)');
    const v = blob();
    v[2] = 2;
    expect(parseFailure(v)).toBe('BTF: unsupported version 2');
    const f = blob();
    f[3] = 1;
    expect(parseFailure(f)).toBe('BTF: unsupported flags 0x1');
    expect(parseFailure(blob().subarray(0, 20))).toBe('BTF: 20 bytes is too short for the 24-byte header');
    expect(parseFailure(setU32(blob(), 4, 1000))).toMatch(/^BTF: header length 1000 is out of range \(24\.\.\d+\)$/);
  });

  it('sections beyond the data or overlapping', () => {
    expect(parseFailure(setU32(blob(), 12, 4000))).toMatch(/^BTF: the type section \[0, 4000\) lies beyond the data/);
    expect(parseFailure(setU32(blob(), 20, 4000))).toBe('BTF: the string section [28, 4028) lies beyond the data (33 bytes after the header)');
    expect(parseFailure(setU32(blob(), 16, 20))).toBe('BTF: the type section [0, 28) overlaps the string section [20, 25)');
  });

  it('a truncated type record and an unknown kind', () => {
    expect(parseFailure(setU32(blob(), 12, 20))).toBe('BTF: type [2] at byte 16 is truncated: 4 bytes left of 12');
    expect(parseFailure(setU32(blob(), 24 + 4, 25 << 24))).toBe('BTF: type [1] at byte 0: unknown kind 25');
  });

  it('a string table that does not start empty, names beyond it', () => {
    const s = blob();
    s[24 + 28] = 0x41; // the first byte of the string table
    expect(parseFailure(s)).toBe('BTF: the string table must start with an empty string');
    expect(parseFailure(setU32(blob(), 24, 999))).toBe('BTF: [1] INT: name offset 999 is beyond the string table (5 bytes)');
  });
});

describe('BTF validate - types', () => {
  it('type ids out of range', () => {
    expect(failure(btfOf(INT, { kind: 'PTR', name: '', type: 9 }))).toBe("BTF: [2] PTR '(anon)': type_id 9 is out of range (the last type is [2])");
    expect(failure(btfOf({ kind: 'ARRAY', name: '', type: 0, indexType: 0, nelems: 1 }))).toBe(
      "BTF: [1] ARRAY '(anon)': element type_id must not be void",
    );
    expect(
      failure(btfOf(INT, { kind: 'STRUCT', name: 's', size: 4, kflag: false, members: [{ name: 'x', type: 7, bitOffset: 0, bitfieldSize: 0 }] })),
    ).toBe("BTF: [2] STRUCT 's': member #0 'x' type_id 7 is out of range (the last type is [2])");
  });

  it('names where a kind needs one and none where it must not', () => {
    expect(failure(btfOf(INT, { kind: 'CONST', name: 'c', type: 1 }))).toBe("BTF: [2] CONST 'c': a CONST must not have a name");
    expect(failure(btfOf(INT, { kind: 'TYPEDEF', name: '', type: 1 }))).toBe("BTF: [2] TYPEDEF '(anon)': a TYPEDEF needs a name");
  });

  it('sizes a kind does not allow', () => {
    expect(failure(btfOf({ ...INT, size: 3 } as BtfType))).toBe("BTF: [1] INT 'int': size 3 is not 1, 2, 4, 8 or 16");
    expect(failure(btfOf({ ...INT, bitsOffset: 8, bits: 32 } as BtfType))).toBe("BTF: [1] INT 'int': bits_offset 8 + nr_bits 32 exceed 4 bytes");
    expect(failure(btfOf({ kind: 'FLOAT', name: 'f', size: 3 }))).toBe("BTF: [1] FLOAT 'f': size 3 is not 2, 4, 8, 12 or 16");
  });

  it('a FUNC must point at a FUNC_PROTO; a DECL_TAG at a component that exists', () => {
    expect(failure(btfOf(INT, { kind: 'FUNC', name: 'f', type: 1, linkage: 0 }))).toBe("BTF: [2] FUNC 'f': type_id 1 is a INT, not a FUNC_PROTO");
    expect(
      failure(btfOf(INT, { kind: 'STRUCT', name: 's', size: 4, kflag: false, members: [{ name: 'x', type: 1, bitOffset: 0, bitfieldSize: 0 }] }, { kind: 'DECL_TAG', name: 't', type: 2, componentIdx: 1 })),
    ).toBe("BTF: [3] DECL_TAG 't': component_idx 1 is out of range (1 components)");
  });

  it('loops in chains of modifiers and pointers', () => {
    expect(failure(btfOf({ kind: 'PTR', name: '', type: 2 }, { kind: 'CONST', name: '', type: 1 }))).toBe(
      "BTF: loop in type chain: [1] PTR '(anon)' -> [2] CONST '(anon)' -> [1] PTR '(anon)'",
    );
    expect(failure(btfOf({ kind: 'TYPEDEF', name: 't', type: 1 }))).toBe("BTF: loop in type chain: [1] TYPEDEF 't' -> [1] TYPEDEF 't'");
  });

  it('a struct that contains itself by value, but not through a pointer', () => {
    const member = (type: number) => ({ name: 'm', type, bitOffset: 0, bitfieldSize: 0 });
    expect(failure(btfOf({ kind: 'STRUCT', name: 'a', size: 8, kflag: false, members: [member(2)] }, { kind: 'ARRAY', name: '', type: 1, indexType: 3, nelems: 1 }, INT))).toBe(
      "BTF: loop in type chain: [1] STRUCT 'a' -> [2] ARRAY '(anon)' -> [1] STRUCT 'a'",
    );
    expect(() => validateBtf(btfOf({ kind: 'STRUCT', name: 'list', size: 8, kflag: false, members: [member(2)] }, { kind: 'PTR', name: '', type: 1 }))).not.toThrow();
  });
});
