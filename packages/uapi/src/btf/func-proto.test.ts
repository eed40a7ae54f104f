import { describe, expect, it } from 'vitest';
import { btfFindStructField, btfFuncProto } from './func-proto.js';
import type { Btf, BtfType } from './types.js';

const m = (name: string, type: number, bitOffset: number) => ({ name, type, bitOffset, bitfieldSize: 0 });
/**
 * [1] int, [2] struct bpf_timer (16), [3] struct elem {u64-ish int a; struct bpf_timer t at 8},
 * [4] const elem, [5] elem *, [6] void *, [7] FUNC_PROTO int (const elem *, int, void *),
 * [8] FUNC f global, [9] FUNC g static, [10] typedef elem_t, [11] FUNC_PROTO elem_t (void),
 * [12] FUNC h extern.
 */
const btf: Btf = {
  types: [
    { kind: 'VOID', name: '' },
    { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 },
    { kind: 'STRUCT', name: 'bpf_timer', size: 16, kflag: false, members: [] },
    { kind: 'STRUCT', name: 'elem', size: 24, kflag: false, members: [m('a', 1, 0), m('t', 2, 64)] },
    { kind: 'CONST', name: '', type: 3 },
    { kind: 'PTR', name: '', type: 4 },
    { kind: 'PTR', name: '', type: 0 },
    { kind: 'FUNC_PROTO', name: '', returnType: 1, params: [{ name: 'e', type: 5 }, { name: 'n', type: 1 }, { name: 'p', type: 6 }] },
    { kind: 'FUNC', name: 'f', type: 7, linkage: 1 },
    { kind: 'FUNC', name: 'g', type: 7, linkage: 0 },
    { kind: 'TYPEDEF', name: 'elem_t', type: 3 },
    { kind: 'FUNC_PROTO', name: '', returnType: 10, params: [] },
    { kind: 'FUNC', name: 'h', type: 11, linkage: 2 },
  ] satisfies BtfType[],
};

describe('BTF function prototypes and map value fields', () => {
  it('btfFuncProto - linkage, and each type after modifiers and typedefs, pointers with their pointee and its size', () => {
    expect(btfFuncProto(btf, 8)).toEqual({
      linkage: 'global',
      proto: {
        ret: { kind: 'INT' },
        args: [
          { name: 'e', type: { kind: 'PTR', pointee: { kind: 'STRUCT', name: 'elem', size: 24 } } },
          { name: 'n', type: { kind: 'INT' } },
          { name: 'p', type: { kind: 'PTR', pointee: { kind: 'VOID', name: '' } } },
        ],
      },
    });
    expect(btfFuncProto(btf, 9)?.linkage).toBe('static');
    expect(btfFuncProto(btf, 12)).toEqual({ linkage: 'extern', proto: { ret: { kind: 'STRUCT' }, args: [] } });
  });

  it('btfFuncProto - undefined for a type that is not a FUNC', () => {
    expect(btfFuncProto(btf, 7)).toBeUndefined();
    expect(btfFuncProto(btf, 1)).toBeUndefined();
  });

  it('btfFindStructField - the offset of struct bpf_timer in a value, through typedefs; undefined when absent', () => {
    expect(btfFindStructField(btf, 3, 'bpf_timer')).toBe(8);
    expect(btfFindStructField(btf, 10, 'bpf_timer')).toBe(8);
    expect(btfFindStructField(btf, 3, 'bpf_spin_lock')).toBeUndefined();
    expect(btfFindStructField(btf, 1, 'bpf_timer')).toBeUndefined();
  });
});
