import { MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { INT_ID, LOCKED_ID, PLAIN_ID, TEST_BTF_ID, VALUE_ID, testBtfPort } from '../testing/map-btf.js';
import { Arena } from './arena.js';
import { type DirectoryOptions, MapDirectory } from './directory.js';

/**
 * map_create's btf_fd, btf_key_type_id and btf_value_type_id: checked against the BTF object at
 * create (map_check_btf), kept in the spec with the value's special fields, reported by info,
 * kept by snapshots and lease grants.
 */
const newDirectory = (options: DirectoryOptions = { btf: testBtfPort() }) => new MapDirectory(new Arena({ initialPages: 4 }), options);
const hash = { map_type: MapType.HASH, key_size: 4, value_size: 16, max_entries: 8 } as const;
const btfInfo = (d: MapDirectory, id: number) => {
  const { btf_id, btf_key_type_id, btf_value_type_id } = d.info(id);
  return { btf_id, btf_key_type_id, btf_value_type_id };
};

describe('map BTF ids', () => {
  it('map BTF ids - create keeps them and info reports them', () => {
    const d = newDirectory();
    const id = d.create({ ...hash, btf_id: TEST_BTF_ID, btf_key_type_id: INT_ID, btf_value_type_id: PLAIN_ID });
    expect(btfInfo(d, id)).toEqual({ btf_id: TEST_BTF_ID, btf_key_type_id: INT_ID, btf_value_type_id: PLAIN_ID });
    expect(d.get(id).spec.value_fields).toEqual({ btf: true });
  });

  it('map BTF ids - a map without BTF reports zeros; a btf_id without types is ignored, as the kernel ignores btf_fd then', () => {
    const d = newDirectory();
    expect(btfInfo(d, d.create(hash))).toEqual({ btf_id: 0, btf_key_type_id: 0, btf_value_type_id: 0 });
    expect(btfInfo(d, d.create({ ...hash, btf_id: 7 }))).toEqual({ btf_id: 0, btf_key_type_id: 0, btf_value_type_id: 0 });
  });

  it('map BTF ids - a value type alone is enough (libbpf leaves the key type 0 for some maps); a key type alone is kept, unchecked, as Linux keeps it', () => {
    const d = newDirectory();
    expect(btfInfo(d, d.create({ ...hash, btf_id: TEST_BTF_ID, btf_value_type_id: PLAIN_ID }))).toEqual({ btf_id: TEST_BTF_ID, btf_key_type_id: 0, btf_value_type_id: PLAIN_ID });
    const keyOnly = d.create({ ...hash, btf_id: TEST_BTF_ID, btf_key_type_id: 99 });
    expect(btfInfo(d, keyOnly)).toEqual({ btf_id: TEST_BTF_ID, btf_key_type_id: 99, btf_value_type_id: 0 });
    expect(d.get(keyOnly).spec.value_fields).toBeUndefined();
  });

  it.each([
    ['type ids without a btf_id', { btf_value_type_id: 5 }, 'EINVAL', /need a btf_id/],
    ['a key type without a btf_id', { btf_key_type_id: 2 }, 'EINVAL', /need a btf_id/],
    ['a btf_id that is not a u32', { btf_id: -1, btf_value_type_id: 5 }, 'EINVAL', /btf_id must be a u32/],
    ['a value type of another size than value_size', { btf_id: TEST_BTF_ID, btf_value_type_id: LOCKED_ID }, 'EINVAL', /value type is 8 bytes, value_size is 16/],
    ['a key type of another size than key_size', { btf_id: TEST_BTF_ID, btf_key_type_id: PLAIN_ID, btf_value_type_id: PLAIN_ID }, 'EINVAL', /key type is 16 bytes, key_size is 4/],
    ['a value type id past the BTF', { btf_id: TEST_BTF_ID, btf_value_type_id: 99 }, 'EINVAL', /value type id 99 is not in BTF 5/],
    ['a btf_id naming no BTF object', { btf_id: 77, btf_value_type_id: PLAIN_ID }, 'EBADF', /btf_id 77 names no BTF object/],
    ['a btf_id naming no BTF object, with a key type only', { btf_id: 77, btf_key_type_id: INT_ID }, 'EBADF', /btf_id 77 names no BTF object/],
  ])('map BTF ids - %s is refused at map_create and creates nothing', (_, fields, code, message) => {
    const d = newDirectory();
    const next = d.nextMapId;
    expect(() => d.create({ ...hash, ...fields })).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
    expect(d.nextMapId).toBe(next);
  });

  it('map BTF ids - a spin lock in a map type that cannot hold one is EOPNOTSUPP at map_create', () => {
    const d = newDirectory();
    const spec = { map_type: MapType.PERCPU_HASH, key_size: 4, value_size: 8, max_entries: 2, btf_id: TEST_BTF_ID, btf_value_type_id: LOCKED_ID };
    expect(() => d.create(spec)).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP', message: expect.stringMatching(/cannot hold a bpf_spin_lock/) }));
  });

  it('map BTF ids - the type checks of the map come first (Linux allocates the map before it reads the BTF)', () => {
    const d = newDirectory();
    expect(() => d.create({ ...hash, max_entries: 0, btf_id: 77, btf_value_type_id: PLAIN_ID })).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(/max_entries/) }));
  });

  it('map BTF ids - a directory that reaches no BTF objects refuses type ids with EBADF; a request may bring its own port', () => {
    const d = newDirectory({});
    expect(() => d.create({ ...hash, btf_id: TEST_BTF_ID, btf_value_type_id: PLAIN_ID })).toThrow(expect.objectContaining({ code: 'EBADF', message: expect.stringMatching(/no kernel holding BTF objects/) }));
    const id = d.create({ ...hash, btf_id: TEST_BTF_ID, btf_value_type_id: PLAIN_ID, btf: testBtfPort() });
    expect(btfInfo(d, id).btf_value_type_id).toBe(PLAIN_ID);
  });

  it('map BTF ids - the value fields found at create are in the spec; a snapshot keeps them across a restart (through JSON), without the BTF object', () => {
    const d = newDirectory();
    const id = d.create({ map_type: MapType.ARRAY, key_size: 4, value_size: 40, max_entries: 2, btf_id: TEST_BTF_ID, btf_key_type_id: INT_ID, btf_value_type_id: VALUE_ID });
    const fields = { btf: true, spin_lock_off: 4, timer_off: 8, kptrs: [{ off: 24, kind: 'ref', btf_id: 1 }] };
    expect(d.get(id).spec.value_fields).toEqual(fields);
    const snapshot = JSON.parse(JSON.stringify(d.snapshot(id)));
    const restarted = newDirectory({});
    restarted.restore([snapshot]);
    expect(btfInfo(restarted, id)).toEqual({ btf_id: TEST_BTF_ID, btf_key_type_id: INT_ID, btf_value_type_id: VALUE_ID });
    expect(restarted.get(id).spec.value_fields).toEqual(fields);
  });

  it('map BTF ids - a lease grant carries the ids and the value fields in its spec', () => {
    const d = newDirectory();
    const id = d.create({ ...hash, value_size: 8, btf_id: TEST_BTF_ID, btf_value_type_id: LOCKED_ID });
    const { spec } = d.grantLease(id, 'kernel-a');
    expect([spec.btf_id, spec.btf_key_type_id, spec.btf_value_type_id, spec.value_fields]).toEqual([TEST_BTF_ID, undefined, LOCKED_ID, { btf: true, spin_lock_off: 4 }]);
  });
});
