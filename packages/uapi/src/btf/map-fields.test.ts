import { describe, expect, it } from 'vitest';
import { MapType } from '../generated/enums.js';
import { mapBtfFieldsOf, mapValueHasKptrs } from './map-fields.js';
import type { Btf, BtfType } from './types.js';

/** struct v { int n; struct task_struct __kptr *task; } (16 bytes) and struct p { int n; int m; } (8 bytes). */
const member = (name: string, type: number, byte: number) => ({ name, type, bitOffset: byte * 8, bitfieldSize: 0 });
const types: BtfType[] = [
  { kind: 'VOID', name: '' },
  { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 }, // 1
  { kind: 'STRUCT', name: 'task_struct', size: 0, kflag: false, members: [] }, // 2
  { kind: 'TYPE_TAG', name: 'kptr', type: 2 }, // 3
  { kind: 'PTR', name: '', type: 3 }, // 4
  { kind: 'STRUCT', name: 'v', size: 16, kflag: false, members: [member('n', 1, 0), member('task', 4, 8)] }, // 5
  { kind: 'STRUCT', name: 'p', size: 8, kflag: false, members: [member('n', 1, 0), member('m', 1, 4)] }, // 6
];
const btf: Btf = { types };
const vmlinux: Btf = { types: [{ kind: 'VOID', name: '' }, { kind: 'STRUCT', name: 'task_struct', size: 8, kflag: false, members: [] }] };

describe('map BTF fields', () => {
  it('map BTF fields - mapValueHasKptrs tells whether the kernel BTF is needed: a value with a kptr, one without, a type id not in the BTF', () => {
    expect([mapValueHasKptrs(btf, 5), mapValueHasKptrs(btf, 6), mapValueHasKptrs(btf, 99), mapValueHasKptrs(btf, 0)]).toEqual([true, false, false, false]);
  });

  it('map BTF fields - the kptr target is named in the kernel BTF; without one it is ENOENT', () => {
    const attr = { map_type: MapType.HASH, key_size: 4, value_size: 16, btf_key_type_id: 1, btf_value_type_id: 5 };
    expect(mapBtfFieldsOf(btf, attr, vmlinux, "map 'm'", 'BTF 2')).toEqual({ btf: true, kptrs: [{ off: 8, kind: 'ref', btf_id: 1 }] });
    expect(() => mapBtfFieldsOf(btf, attr, undefined, "map 'm'", 'BTF 2')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
