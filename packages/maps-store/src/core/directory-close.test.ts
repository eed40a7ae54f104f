import { UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { MapDirectory } from './directory.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const hash = { map_type: 'hash', key_size: 4, value_size: 4, max_entries: 8 } as const;

/** A directory and the ids it reports freed. */
function directory(): { d: MapDirectory; freed: number[] } {
  const d = new MapDirectory(new Arena({ initialPages: 8 }), { leaseTtlMs: 1000, now: () => 0 });
  const freed: number[] = [];
  d.onFree((id) => freed.push(id));
  return { d, freed };
}

describe('map directory - close', () => {
  it('map close - the last handle frees the map: its id is ENOENT and the free is reported; a second close is ENOENT', () => {
    const { d, freed } = directory();
    const id = d.create(hash);
    d.update(id, u32(1), u32(2), UpdateFlag.ANY);
    d.close(id);
    expect(freed).toEqual([id]);
    expect(() => d.info(id)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => d.close(id)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => d.nextId(0)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('map close - a pinned map outlives its handle', () => {
    const { d, freed } = directory();
    const id = d.create(hash);
    d.pin('/sys/fs/bpf/kept', id);
    d.close(id);
    expect(freed).toEqual([]);
    expect(d.info(id).map_id).toBe(id);
    expect(() => d.close(id)).toThrow(/closed already/);
  });

  it('map close - a leased map is freed when it comes home, not before', () => {
    const { d, freed } = directory();
    const id = d.create(hash);
    const grant = d.grantLease(id, 'kernel-1');
    d.close(id);
    expect(freed).toEqual([]);
    d.releaseLease(id, 'kernel-1', grant.epoch, [[u32(1), u32(5)]]);
    expect(freed).toEqual([id]);
  });

  it('map close - an inner map lives while a map of maps holds it; freeing the outer map lets it go', () => {
    const { d, freed } = directory();
    const inner = d.create(hash);
    const outer = d.create({ map_type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 2, inner_map_id: inner });
    d.update(outer, u32(0), u32(inner), UpdateFlag.ANY);
    d.close(inner);
    expect(freed).toEqual([]);
    d.close(outer);
    // The inner map goes while the outer one is being emptied.
    expect(freed).toEqual([inner, outer]);
  });

  it('map close - deleting the slot that held a closed inner map frees it', () => {
    const { d, freed } = directory();
    const inner = d.create(hash);
    const outer = d.create({ map_type: 'hash_of_maps', key_size: 4, value_size: 4, max_entries: 2, inner_map_id: inner });
    d.update(outer, u32(7), u32(inner), UpdateFlag.ANY);
    d.close(inner);
    d.delete(outer, u32(7));
    expect(freed).toEqual([inner]);
    expect(d.info(outer).map_id).toBe(outer);
  });
});

describe('map directory - freed maps give their storage back', () => {
  it.each([
    ['hash', { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 64 }],
    ['hash without prealloc', { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 64, map_flags: 1 }],
    ['array', { map_type: 'array', key_size: 4, value_size: 8, max_entries: 64 }],
    ['percpu hash', { map_type: 'percpu_hash', key_size: 4, value_size: 8, max_entries: 64 }],
  ])('map close - %s: a thousand create/fill/close cycles leave the arena where one left it', (_name, request) => {
    const arena = new Arena({ initialPages: 8 });
    const d = new MapDirectory(arena, { cpus: 2 });
    const cycle = (): void => {
      const id = d.create(request);
      const value = new Uint8Array(d.hosted(id).map.syscallValueSize);
      for (let k = 0; k < 10; k++) d.update(id, u32(k), value, UpdateFlag.ANY);
      d.close(id);
    };
    cycle();
    const after = arena.allocated;
    for (let i = 0; i < 1000; i++) cycle();
    expect(arena.allocated).toBe(after);
    expect(arena.memory.buffer.byteLength).toBe(8 * 65536);
  });
});
