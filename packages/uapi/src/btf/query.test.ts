import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BtfError } from './errors.js';
import { parseBtf } from './parse.js';
import { btfAlignOf, btfSizeOf, btfTypeById, btfTypeOfKind, findBtfMember, findBtfType, findBtfTypes, skipModifiers, skipModsAndTypedefs } from './query.js';
import type { Btf, BtfType } from './types.js';

const tracing = parseBtf(new Uint8Array(readFileSync(new URL('./testdata/tracing.btf', import.meta.url))));

const m = (name: string, type: number, bitOffset: number, bitfieldSize = 0) => ({ name, type, bitOffset, bitfieldSize });
/** [1] char, [2] int, [3] long, [4] packed {char; int} (size 5), [5] {char; union {int a; long b}} (size 16), [6] union, [7] const [8] typedef */
const handmade: Btf = {
  types: [
    { kind: 'VOID', name: '' },
    { kind: 'INT', name: 'char', size: 1, encoding: 1, bitsOffset: 0, bits: 8 },
    { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 },
    { kind: 'INT', name: 'long', size: 8, encoding: 1, bitsOffset: 0, bits: 64 },
    { kind: 'STRUCT', name: 'packed', size: 5, kflag: false, members: [m('c', 1, 0), m('i', 2, 8)] },
    { kind: 'STRUCT', name: 'outer', size: 16, kflag: false, members: [m('c', 1, 0), m('', 6, 64)] },
    { kind: 'UNION', name: '', size: 8, kflag: false, members: [m('a', 2, 0), m('b', 3, 0)] },
    { kind: 'CONST', name: '', type: 8 },
    { kind: 'TYPEDEF', name: 'outer_t', type: 5 },
  ] satisfies BtfType[],
};

describe('BTF query', () => {
  it('sizes through typedefs, qualifiers, arrays and pointers', () => {
    expect(btfSizeOf(tracing, 28)).toBe(56); // struct task_struct
    expect(btfSizeOf(tracing, 30)).toBe(16); // char comm[16]
    expect(btfSizeOf(tracing, 31)).toBe(8); // struct task_struct *
    expect(btfSizeOf(tracing, 66)).toBe(4); // const volatile __u32
    expect(btfSizeOf(tracing, 68)).toBe(4); // VAR target_tgid
    expect(btfSizeOf(handmade, 7)).toBe(16);
    expect(() => btfSizeOf(tracing, 63)).toThrow("BTF: [63] FUNC 'sum_step' has no size ([63] FUNC 'sum_step')");
  });

  it('alignment: scalars by size, structs by their strictest member, packed structs 1', () => {
    expect(btfAlignOf(tracing, 28)).toBe(8);
    expect(btfAlignOf(tracing, 30)).toBe(1);
    expect(btfAlignOf(handmade, 4)).toBe(1);
    expect(btfAlignOf(handmade, 5)).toBe(8);
    expect(btfAlignOf(handmade, 7)).toBe(8);
  });

  it('skips qualifiers and typedefs', () => {
    expect(skipModifiers(tracing, 66)).toEqual({ id: 12, type: tracing.types[12] });
    expect(skipModsAndTypedefs(tracing, 66).id).toBe(13);
    expect(skipModsAndTypedefs(handmade, 7).type).toMatchObject({ kind: 'STRUCT', name: 'outer' });
  });

  it('finds members, inside anonymous unions too, with offsets from the outer struct', () => {
    expect(findBtfMember(tracing, 28, 'real_parent')).toMatchObject({ index: 4, bitOffset: 256, member: { type: 31 } });
    expect(findBtfMember(handmade, 7, 'b')).toMatchObject({ index: 1, bitOffset: 64, member: { name: 'b', type: 3 } });
    expect(findBtfMember(handmade, 5, 'nope')).toBeUndefined();
    expect(() => findBtfMember(handmade, 2, 'x')).toThrow(BtfError);
  });

  it('finds types by name and kind', () => {
    expect(findBtfType(tracing, 'task_struct')).toBe(28);
    expect(findBtfType(tracing, 'task_struct', 'FWD')).toBeUndefined();
    expect(findBtfType(tracing, '.maps', 'DATASEC')).toBe(84);
    expect(findBtfTypes(tracing, 'ctx')).toEqual([]);
    expect(btfTypeOfKind(tracing, 59, 'ENUM').values).toHaveLength(3);
    expect(() => btfTypeOfKind(tracing, 59, 'STRUCT')).toThrow("BTF: [59] ENUM 'task_state' is not a STRUCT");
    expect(() => btfTypeById(tracing, 87)).toThrow('BTF: type id 87 is out of range (the last type is [86])');
  });
});
