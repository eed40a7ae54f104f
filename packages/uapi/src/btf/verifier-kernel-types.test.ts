import { describe, expect, it } from 'vitest';
import type { Btf } from './types.js';
import { kernelBtfForVerifier } from './verifier-kernel-btf.js';
import { kernelTypesFrom } from './verifier-kernel-types.js';
import { ProgType } from '../generated/enums.js';

// [1] int, [2] struct task { int pid; struct task *parent; struct mm *mm (FWD) }, [3] PTR -> 2,
// [4] FWD mm, [5] PTR -> 4, [6] typedef pid_t -> 1, [7] struct unrelated { int x; }.
const btf: Btf = {
  types: [
    { kind: 'VOID', name: '' },
    { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 },
    {
      kind: 'STRUCT', name: 'task_struct', size: 24, kflag: false,
      members: [{ name: 'pid', type: 6, bitOffset: 0, bitfieldSize: 0 }, { name: 'parent', type: 3, bitOffset: 64, bitfieldSize: 0 }, { name: 'mm', type: 5, bitOffset: 128, bitfieldSize: 0 }],
    },
    { kind: 'PTR', name: '', type: 2 },
    { kind: 'FWD', name: 'mm_struct', union: false },
    { kind: 'PTR', name: '', type: 4 },
    { kind: 'TYPEDEF', name: 'pid_t', type: 1 },
    { kind: 'STRUCT', name: 'unrelated', size: 4, kflag: false, members: [{ name: 'x', type: 1, bitOffset: 0, bitfieldSize: 0 }] },
  ],
};

describe('verifier kernel types - what the verifier needs to walk kernel structs', () => {
  it('verifier kernel types - the closure of a pointer argument, each type once in id order, members in bits', () => {
    expect(kernelTypesFrom(btf, [3])).toEqual([
      { id: 1, kind: 'INT', name: 'int', size: 4 },
      {
        id: 2, kind: 'STRUCT', name: 'task_struct', size: 24,
        members: [{ name: 'pid', type: 6, bit_offset: 0 }, { name: 'parent', type: 3, bit_offset: 64 }, { name: 'mm', type: 5, bit_offset: 128 }],
      },
      { id: 3, kind: 'PTR', name: '', type: 2 },
      { id: 4, kind: 'FWD', name: 'mm_struct' },
      { id: 5, kind: 'PTR', name: '', type: 4 },
      { id: 6, kind: 'TYPEDEF', name: 'pid_t', type: 1 },
    ]);
  });

  it('verifier kernel types - sent for tracing programs and attach arguments, not for an XDP program', () => {
    expect(kernelBtfForVerifier(btf, [], [], { progType: ProgType.TRACING, attachTypes: [0, 3] }).types?.map((t) => t.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(kernelBtfForVerifier(btf, [], [], { progType: ProgType.XDP })).not.toHaveProperty('types');
    expect(kernelBtfForVerifier(btf, [])).not.toHaveProperty('types');
  });
});
