import { Arena, MapDirectory, type MapSpec } from '@bpfhive/maps-store';
import { BpfError, type BtfType, MapType, encodeBtf, findBtfType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelMapBtfPort, mapBtfFields } from './map-btf.js';
import { BtfTable } from './table.js';

/**
 * A map value's BTF, hand-built as clang emits it:
 *   struct val { int x; struct bpf_spin_lock lock; struct bpf_timer t; struct task_struct __kptr *task;
 *                struct task_struct __kptr_untrusted *peek; };                                     (40 bytes)
 */
const int: BtfType = { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 };
const types: BtfType[] = [
  { kind: 'VOID', name: '' },
  int, // 1
  { kind: 'STRUCT', name: 'bpf_spin_lock', size: 4, kflag: false, members: [{ name: 'val', type: 1, bitOffset: 0, bitfieldSize: 0 }] }, // 2
  { kind: 'STRUCT', name: 'bpf_timer', size: 16, kflag: false, members: [] }, // 3
  { kind: 'STRUCT', name: 'task_struct', size: 0, kflag: false, members: [] }, // 4 (a forward-ish local copy)
  { kind: 'TYPE_TAG', name: 'kptr', type: 4 }, // 5
  { kind: 'PTR', name: '', type: 5 }, // 6
  { kind: 'TYPE_TAG', name: 'kptr_untrusted', type: 4 }, // 7
  { kind: 'PTR', name: '', type: 7 }, // 8
  {
    kind: 'STRUCT', name: 'val', size: 40, kflag: false, members: [
      { name: 'x', type: 1, bitOffset: 0, bitfieldSize: 0 },
      { name: 'lock', type: 2, bitOffset: 32, bitfieldSize: 0 },
      { name: 't', type: 3, bitOffset: 64, bitfieldSize: 0 },
      { name: 'task', type: 6, bitOffset: 192, bitfieldSize: 0 },
      { name: 'peek', type: 8, bitOffset: 256, bitfieldSize: 0 },
    ],
  }, // 9
  { kind: 'TYPE_TAG', name: 'kptr_weird', type: 4 }, // 10
  { kind: 'PTR', name: '', type: 10 }, // 11
  { kind: 'STRUCT', name: 'bad', size: 8, kflag: false, members: [{ name: 'p', type: 11, bitOffset: 0, bitfieldSize: 0 }] }, // 12
  { kind: 'STRUCT', name: 'locked', size: 8, kflag: false, members: [{ name: 'n', type: 1, bitOffset: 0, bitfieldSize: 0 }, { name: 'l', type: 2, bitOffset: 32, bitfieldSize: 0 }] }, // 13
];

function setup() {
  const table = new BtfTable();
  const { object } = table.load({ btf: encodeBtf({ types }) });
  return { table, btfId: object.id, vmlinux: table.vmlinux.btf };
}
const spec = (btfId: number, over: Partial<MapSpec> = {}): MapSpec => ({
  map_type: MapType.HASH, key_size: 4, value_size: 40, max_entries: 4, map_flags: 0, map_name: 'vals', btf_id: btfId, btf_key_type_id: 1, btf_value_type_id: 9, ...over,
});
let nextMapId = 100;
const fieldsOf = (table: BtfTable, s: MapSpec, vmlinux = table.vmlinux.btf) => mapBtfFields(table, nextMapId++, s, vmlinux);
const errorOf = (run: () => unknown): BpfError => {
  try {
    run();
  } catch (e) {
    if (e instanceof BpfError) return e;
    throw e;
  }
  throw new Error('it succeeded');
};

/** The fallback (mapBtfFields on a spec without value_fields) is tested as map_check_btf itself; a spec's own fields win. */
describe('map BTF - special fields of the value (map_check_btf)', () => {
  it('map BTF - finds the spin lock, the timer and both kinds of kptr, pointing into the kernel BTF', () => {
    const { table, btfId, vmlinux } = setup();
    const task = findBtfType(vmlinux, 'task_struct', 'STRUCT')!;
    expect(task).toBeGreaterThan(0);
    expect(fieldsOf(table, spec(btfId))).toEqual({
      btf: true, spin_lock_off: 4, timer_off: 8,
      kptrs: [{ off: 24, kind: 'ref', btf_id: task }, { off: 32, kind: 'untrusted', btf_id: task }],
    });
  });

  it('map BTF - a map without a value type has none to tell', () => {
    const { table, btfId } = setup();
    expect(fieldsOf(table, spec(btfId, { btf_value_type_id: undefined, btf_key_type_id: undefined }))).toBeUndefined();
  });

  it('map BTF - a plain value with a spin lock: only the lock', () => {
    const { table, btfId } = setup();
    expect(fieldsOf(table, spec(btfId, { value_size: 8, btf_value_type_id: 13, map_type: MapType.ARRAY }))).toEqual({ btf: true, spin_lock_off: 4 });
  });

  it.each([
    ['a value type of another size', { value_size: 48 }, 'EINVAL', /value type is 40 bytes, value_size is 48/],
    ['a key type of another size', { key_size: 8 }, 'EINVAL', /key type is 4 bytes, key_size is 8/],
    ['a value type id past the BTF', { btf_value_type_id: 99 }, 'EINVAL', /value type id 99 is not in BTF/],
    ['a BTF object that is gone', { btf_id: 77 }, 'EBADF', /names no BTF object/],
    ['a spin lock in a map type that cannot hold one', { map_type: MapType.PERCPU_HASH }, 'EOPNOTSUPP', /cannot hold a bpf_spin_lock/],
    ['an unknown kptr tag', { value_size: 8, btf_value_type_id: 12 }, 'EINVAL', /type tag 'kptr_weird'/],
  ])('map BTF - %s is refused', (_, over, code, message) => {
    const { table, btfId } = setup();
    const e = errorOf(() => fieldsOf(table, spec(btfId, over)));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('map BTF - a kptr to a struct the kernel lacks is ENOENT', () => {
    const { table, btfId } = setup();
    const e = errorOf(() => fieldsOf(table, spec(btfId), { ...table.vmlinux.btf, types: [{ kind: 'VOID', name: '' }, int] }));
    expect([e.code, e.message]).toEqual(['ENOENT', expect.stringMatching(/struct task_struct, which the kernel does not have/)]);
  });

  it('map BTF - the fields map_create kept in the spec are used as they are: no BTF object is needed', () => {
    const { table } = setup();
    const fields = { btf: true, spin_lock_off: 4 } as const;
    expect(fieldsOf(table, spec(77, { value_fields: fields }))).toBe(fields);
  });

  it('map BTF - the embedded mode checks at map_create through kernelMapBtfPort: a bad size is EINVAL then, and the fields go into the spec', () => {
    const { table, btfId, vmlinux } = setup();
    const directory = new MapDirectory(new Arena({ initialPages: 4 }), { btf: kernelMapBtfPort(() => table) });
    const request = { map_type: MapType.HASH, key_size: 4, value_size: 40, max_entries: 4, btf_id: btfId, btf_key_type_id: 1, btf_value_type_id: 9 };
    expect(errorOf(() => directory.create({ ...request, value_size: 48 })).message).toMatch(/value type is 40 bytes, value_size is 48/);
    const id = directory.create(request);
    table.close(btfId);
    const task = findBtfType(vmlinux, 'task_struct', 'STRUCT')!;
    expect(fieldsOf(table, directory.get(id).spec)).toEqual({
      btf: true, spin_lock_off: 4, timer_off: 8,
      kptrs: [{ off: 24, kind: 'ref', btf_id: task }, { off: 32, kind: 'untrusted', btf_id: task }],
    });
  });

  it('map BTF - (a spec without fields, from an old snapshot) what a map id was found to have outlives its BTF object (the map holds it, in Linux)', () => {
    const { table, btfId } = setup();
    const s = spec(btfId);
    const first = mapBtfFields(table, 1, s, table.vmlinux.btf);
    table.close(btfId);
    expect(() => table.get(btfId)).toThrow();
    expect(mapBtfFields(table, 1, s, table.vmlinux.btf)).toEqual(first);
    expect(errorOf(() => mapBtfFields(table, 2, s, table.vmlinux.btf)).code).toBe('EBADF');
  });
});
