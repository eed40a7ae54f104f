import { MapFlag, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { MapDirectory } from './directory.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const newDirectory = () => new MapDirectory(new Arena({ initialPages: 4 }));
const hashRequest = (extra: object = {}) => ({ map_type: 'hash', key_size: 4, value_size: 4, max_entries: 8, ...extra });

describe('map directory', () => {
  it('map directory - map_type takes the bpftool name or the uapi number; ids count up and are not reused', () => {
    const d = newDirectory();
    expect(d.create(hashRequest())).toBe(1);
    expect(d.create({ ...hashRequest(), map_type: 2, map_name: 'counts' })).toBe(2);
    expect(d.info(2)).toMatchObject({ map_id: 2, type_name: 'array', name: 'counts', frozen: false });
    expect(() => d.create({ ...hashRequest(), map_type: 'nonsense' })).toThrow(/unknown map_type "nonsense"/);
    expect(d.create(hashRequest())).toBe(3);
  });

  it('map directory - a missing map is ENOENT', () => {
    expect(() => newDirectory().lookup(7, u32(1))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('map directory - freeze stops user-space writes with EPERM; a second freeze is EBUSY', () => {
    const d = newDirectory();
    const id = d.create(hashRequest());
    d.update(id, u32(1), u32(10), UpdateFlag.ANY);
    d.freeze(id);
    expect(() => d.update(id, u32(2), u32(20), UpdateFlag.ANY)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect(() => d.delete(id, u32(1))).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect(d.lookup(id, u32(1))).toEqual(u32(10));
    expect(() => d.freeze(id)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
  });

  it.each([
    ['BPF_F_RDONLY refuses updates', MapFlag.RDONLY, (d: MapDirectory, id: number) => d.update(id, u32(1), u32(1), 0)],
    ['BPF_F_WRONLY refuses lookups', MapFlag.WRONLY, (d: MapDirectory, id: number) => d.lookup(id, u32(1))],
    ['BPF_F_WRONLY refuses get_next_key', MapFlag.WRONLY, (d: MapDirectory, id: number) => d.getNextKey(id, undefined)],
  ])('map directory - %s with EPERM', (_title, flags, run) => {
    const d = newDirectory();
    const id = d.create(hashRequest({ map_flags: flags }));
    expect(() => run(d, id)).toThrow(expect.objectContaining({ code: 'EPERM' }));
  });

  it('map directory - lookup_batch pages through every element, then says done', () => {
    const d = newDirectory();
    const id = d.create(hashRequest({ max_entries: 100 }));
    for (let k = 0; k < 25; k++) d.update(id, u32(k), u32(k * 2), UpdateFlag.NOEXIST);
    const seen: number[] = [];
    let page = d.lookupBatch(id, undefined, 10);
    for (;;) {
      page.keys.forEach((k, i) => {
        const key = new DataView(k.buffer).getUint32(0, true);
        expect(new DataView(page.values[i]!.buffer).getUint32(0, true)).toBe(key * 2);
        seen.push(key);
      });
      if (page.done) break;
      page = d.lookupBatch(id, page.outBatch, 10);
    }
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(25).keys()]);
  });

  it('map directory - update_batch stops at the first error and says how many went in', () => {
    const d = newDirectory();
    const id = d.create(hashRequest({ max_entries: 2 }));
    expect(() => d.updateBatch(id, [u32(1), u32(2), u32(3)], [u32(1), u32(2), u32(3)], UpdateFlag.ANY)).toThrow(
      /update_batch: 2 elements done, then: update: the map is full/,
    );
    expect(d.deleteBatch(id, [u32(1), u32(2)])).toBe(2);
    expect(() => d.updateBatch(id, [u32(1)], [], UpdateFlag.ANY)).toThrow(/1 keys but 0 values/);
  });

  it('map directory - lookup_and_delete returns the value and removes the key', () => {
    const d = newDirectory();
    const id = d.create(hashRequest());
    d.update(id, u32(5), u32(50), UpdateFlag.ANY);
    expect(d.lookupAndDelete(id, u32(5))).toEqual(u32(50));
    expect(() => d.lookup(id, u32(5))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('map directory - get_next_id walks ids in order, then ENOENT', () => {
    const d = newDirectory();
    d.create(hashRequest());
    d.create(hashRequest());
    expect(d.nextId(0)).toBe(1);
    expect(d.nextId(1)).toBe(2);
    expect(() => d.nextId(2)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('map directory - pins live under /sys/fs/bpf; a taken path is EEXIST, a missing one ENOENT', () => {
    const d = newDirectory();
    const id = d.create(hashRequest());
    d.pin('/sys/fs/bpf/counts', id);
    expect(d.pins.get('/sys/fs/bpf/counts')).toEqual({ kind: 'map', id });
    expect(() => d.pin('/sys/fs/bpf/counts', id)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => d.pins.get('/sys/fs/bpf/other')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => d.pin('relative/path', id)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => d.pin('/sys/fs/bpf/../etc', id)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => d.pin('/sys/fs/bpf/x', 99)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(d.unpin('/sys/fs/bpf/counts')).toEqual({ kind: 'map', id });
    expect(() => d.pins.get('/sys/fs/bpf/counts')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => d.unpin('/sys/fs/bpf/counts')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('map directory - unpinning the last pin of a map whose handle is closed frees it', () => {
    const d = newDirectory();
    const id = d.create(hashRequest());
    d.pin('/sys/fs/bpf/kept', id);
    d.close(id);
    expect(d.info(id).map_id).toBe(id);
    d.unpin('/sys/fs/bpf/kept');
    expect(() => d.info(id)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
