import { MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { MapDirectory } from './directory.js';

/** map_create's btf_fd, btf_key_type_id and btf_value_type_id: kept in the spec, reported by info, kept by snapshots. */
const newDirectory = () => new MapDirectory(new Arena({ initialPages: 4 }));
const hash = { map_type: MapType.HASH, key_size: 4, value_size: 16, max_entries: 8 } as const;
const btfInfo = (d: MapDirectory, id: number) => {
  const { btf_id, btf_key_type_id, btf_value_type_id } = d.info(id);
  return { btf_id, btf_key_type_id, btf_value_type_id };
};

describe('map BTF ids', () => {
  it('map BTF ids - create keeps them and info reports them', () => {
    const d = newDirectory();
    const id = d.create({ ...hash, btf_id: 7, btf_key_type_id: 2, btf_value_type_id: 5 });
    expect(btfInfo(d, id)).toEqual({ btf_id: 7, btf_key_type_id: 2, btf_value_type_id: 5 });
  });

  it('map BTF ids - a map without BTF reports zeros; a btf_id without types is ignored, as the kernel ignores btf_fd then', () => {
    const d = newDirectory();
    expect(btfInfo(d, d.create(hash))).toEqual({ btf_id: 0, btf_key_type_id: 0, btf_value_type_id: 0 });
    expect(btfInfo(d, d.create({ ...hash, btf_id: 7 }))).toEqual({ btf_id: 0, btf_key_type_id: 0, btf_value_type_id: 0 });
  });

  it('map BTF ids - a value type alone is enough (libbpf leaves the key type 0 for some maps); a key type alone is kept, unchecked, as Linux keeps it', () => {
    const d = newDirectory();
    expect(btfInfo(d, d.create({ ...hash, btf_id: 3, btf_value_type_id: 9 }))).toEqual({ btf_id: 3, btf_key_type_id: 0, btf_value_type_id: 9 });
    expect(btfInfo(d, d.create({ ...hash, btf_id: 3, btf_key_type_id: 2 }))).toEqual({ btf_id: 3, btf_key_type_id: 2, btf_value_type_id: 0 });
  });

  it.each([
    ['type ids without a btf_id', { btf_value_type_id: 5 }, /need a btf_id/],
    ['a key type without a btf_id', { btf_key_type_id: 2 }, /need a btf_id/],
    ['a btf_id that is not a u32', { btf_id: -1, btf_value_type_id: 5 }, /btf_id must be a u32/],
  ])('map BTF ids - %s is EINVAL and creates nothing', (_, fields, message) => {
    const d = newDirectory();
    const next = d.nextMapId;
    expect(() => d.create({ ...hash, ...fields })).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(message) }));
    expect(d.nextMapId).toBe(next);
  });

  it('map BTF ids - a snapshot keeps them across a restart (through JSON, as the stores keep it)', () => {
    const d = newDirectory();
    const id = d.create({ ...hash, btf_id: 4, btf_key_type_id: 1, btf_value_type_id: 6 });
    const snapshot = JSON.parse(JSON.stringify(d.snapshot(id)));
    const restarted = newDirectory();
    restarted.restore([snapshot]);
    expect(btfInfo(restarted, id)).toEqual({ btf_id: 4, btf_key_type_id: 1, btf_value_type_id: 6 });
  });

  it('map BTF ids - a lease grant carries them in its spec', () => {
    const d = newDirectory();
    const id = d.create({ ...hash, btf_id: 4, btf_value_type_id: 6 });
    const { spec } = d.grantLease(id, 'kernel-a');
    expect([spec.btf_id, spec.btf_key_type_id, spec.btf_value_type_id]).toEqual([4, undefined, 6]);
  });
});
