import { MapFlag, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { MapDirectory } from './directory.js';
import { lookupElem } from './map-commands.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const NONE = new Uint8Array(0);
const code = (c: string) => expect.objectContaining({ code: c });
const newDirectory = () => new MapDirectory(new Arena({ initialPages: 8 }));
const create = (d: MapDirectory, map_type: string, key_size: number, value_size: number, max_entries: number, extra: object = {}) =>
  d.create({ map_type, key_size, value_size, max_entries, ...extra });

describe('map commands - queue, stack and bloom filter through the ordinary commands', () => {
  it('map commands - a queue: update pushes, lookup peeks, lookup_and_delete pops, oldest first', () => {
    const d = newDirectory();
    const q = create(d, 'queue', 0, 4, 2);
    d.update(q, NONE, u32(1), UpdateFlag.ANY);
    d.update(q, NONE, u32(2), UpdateFlag.ANY);
    expect(d.lookup(q, NONE)).toEqual(u32(1));
    expect(d.lookupAndDelete(q, NONE)).toEqual(u32(1));
    expect(d.lookupAndDelete(q, NONE)).toEqual(u32(2));
    expect(() => d.lookupAndDelete(q, NONE)).toThrow(code('ENOENT'));
  });

  it('map commands - a full stack refuses a push with E2BIG; BPF_EXIST drops the oldest; BPF_NOEXIST is EINVAL', () => {
    const d = newDirectory();
    const s = create(d, 'stack', 0, 4, 2);
    d.update(s, NONE, u32(1), UpdateFlag.ANY);
    d.update(s, NONE, u32(2), UpdateFlag.ANY);
    expect(() => d.update(s, NONE, u32(3), UpdateFlag.ANY)).toThrow(code('E2BIG'));
    expect(() => d.update(s, NONE, u32(3), UpdateFlag.NOEXIST)).toThrow(code('EINVAL'));
    d.update(s, NONE, u32(3), UpdateFlag.EXIST);
    expect(d.lookupAndDelete(s, NONE)).toEqual(u32(3));
    expect(d.lookupAndDelete(s, NONE)).toEqual(u32(2));
  });

  it.each([
    ['lookup_and_delete with BPF_F_LOCK', 4],
    ['lookup_and_delete with an unknown flag', 1],
  ])('map commands - a queue refuses %s with EINVAL', (_title, flags) => {
    const d = newDirectory();
    const q = create(d, 'queue', 0, 4, 2);
    d.update(q, NONE, u32(1), UpdateFlag.ANY);
    expect(() => d.lookupAndDelete(q, NONE, flags)).toThrow(code('EINVAL'));
  });

  it('map commands - a bloom filter tests the value lookup passes in; lookup_and_delete is ENOTSUPP', () => {
    const d = newDirectory();
    const b = create(d, 'bloom_filter', 0, 4, 100, { map_extra: 3 });
    d.update(b, NONE, u32(42), UpdateFlag.ANY);
    expect(d.lookup(b, NONE, u32(42))).toEqual(u32(42));
    expect(() => d.lookup(b, NONE, u32(43))).toThrow(code('ENOENT'));
    expect(() => d.lookupAndDelete(b, NONE)).toThrow(code('ENOTSUPP'));
    expect(d.info(b)).toMatchObject({ map_extra: 3 });
  });

  it('map commands - map_extra on anything but a bloom filter is EINVAL', () => {
    expect(() => create(newDirectory(), 'queue', 0, 4, 2, { map_extra: 1 })).toThrow(code('EINVAL'));
  });
});

describe('map commands - lookup_and_delete, batches, freeze', () => {
  it('map commands - lookup_and_delete works on hashes, is ENOTSUPP on arrays and EPERM on a read-only map', () => {
    const d = newDirectory();
    const a = create(d, 'array', 4, 4, 4);
    expect(() => d.lookupAndDelete(a, u32(0))).toThrow(code('ENOTSUPP'));
    const h = create(d, 'hash', 4, 4, 4, { map_flags: MapFlag.RDONLY });
    expect(() => d.lookupAndDelete(h, u32(0))).toThrow(code('EPERM'));
    const lru = create(d, 'lru_hash', 4, 4, 4);
    d.update(lru, u32(1), u32(10), UpdateFlag.ANY);
    expect(d.lookupAndDelete(lru, u32(1))).toEqual(u32(10));
    expect(() => d.lookupAndDelete(lru, u32(1), 4)).toThrow(code('EINVAL'));
  });

  it('map commands - lookup_batch skips the empty slots of a devmap, as the kernel does', () => {
    const d = newDirectory();
    const m = create(d, 'devmap', 4, 4, 8);
    d.update(m, u32(2), u32(7), UpdateFlag.ANY);
    d.update(m, u32(5), u32(9), UpdateFlag.ANY);
    const page = d.lookupBatch(m, undefined, 10);
    expect(page).toMatchObject({ done: true, keys: [u32(2), u32(5)], values: [u32(7), u32(9)] });
  });

  it('map commands - freeze of a read-only map is EPERM', () => {
    const d = newDirectory();
    expect(() => d.freeze(create(d, 'array', 4, 4, 1, { map_flags: MapFlag.RDONLY }))).toThrow(code('EPERM'));
  });

  it('map commands - lookup flags other than BPF_F_LOCK are EINVAL; BPF_F_LOCK without a spin lock too', () => {
    const d = newDirectory();
    const h = create(d, 'hash', 4, 4, 4);
    d.update(h, u32(1), u32(1), UpdateFlag.ANY);
    expect(lookupElem(d.hosted(h), u32(1), undefined, 0)).toEqual(u32(1));
    expect(() => lookupElem(d.hosted(h), u32(1), undefined, 8)).toThrow(/only BPF_F_LOCK is defined/);
    expect(() => lookupElem(d.hosted(h), u32(1), undefined, 4)).toThrow(/struct bpf_spin_lock/);
  });
});
