import { MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { createMap } from '../create.js';
import { MapDirectory } from '../directory.js';
import type { BpfMap } from '../map.js';
import { mapAtPointer, mapPointer } from '../map-pointer.js';
import type { ObjectTable } from '../ports.js';
import type { MapSpec } from '../spec.js';
import { type ArrayOfMapsMap, type HashOfMapsMap, innerMapSpec } from './map-in-map.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const code = (c: string) => expect.objectContaining({ code: c });
const spec = (map_type: number, key_size: number, value_size: number, max_entries: number, map_flags = 0): MapSpec => ({ map_type, key_size, value_size, max_entries, map_flags });

/** An arena with maps by id (the `maps` port), counting references. */
function world() {
  const arena = new Arena({ initialPages: 8 });
  const maps = new Map<number, BpfMap>();
  const refs = new Map<number, number>();
  const table: ObjectTable<BpfMap> = {
    acquire: (id) => {
      const m = maps.get(id);
      if (m) refs.set(id, (refs.get(id) ?? 0) + 1);
      return m;
    },
    release: (id) => void refs.set(id, (refs.get(id) ?? 0) - 1),
  };
  const add = (id: number, s: MapSpec): BpfMap => {
    const m = createMap(s, arena);
    maps.set(id, m);
    return m;
  };
  return { arena, add, table, refs };
}

const template = (s: MapSpec): MapSpec['inner_map'] => ({ map_type: s.map_type, key_size: s.key_size, value_size: s.value_size, max_entries: s.max_entries, map_flags: s.map_flags });

describe('map array_of_maps', () => {
  const innerSpec = spec(MapType.ARRAY, 4, 8, 16);

  function outer() {
    const w = world();
    const inner = w.add(1, innerSpec);
    w.add(2, spec(MapType.ARRAY, 4, 8, 32));
    w.add(3, spec(MapType.HASH, 4, 8, 16));
    w.add(4, spec(MapType.ARRAY, 4, 8, 16, MapFlag.RDONLY));
    const m = createMap({ ...spec(MapType.ARRAY_OF_MAPS, 4, 4, 4), inner_map: template(innerSpec) }, w.arena, 1, { maps: w.table }) as ArrayOfMapsMap;
    return { ...w, inner, m };
  }

  it('map array_of_maps - a syscall lookup gives the inner map id; a program lookup gives its map pointer', () => {
    const { m, inner, arena } = outer();
    m.update(u32(2), u32(1), UpdateFlag.ANY);
    expect(readU32(m.lookup(u32(2)))).toBe(1);
    const key = arena.alloc(8);
    arena.view.setUint32(key, 2, true);
    const pointer = m.lookupAddress(key, 0);
    expect(pointer).toBe(mapPointer(inner));
    expect(mapAtPointer(arena, pointer)).toBe(inner);
    arena.view.setUint32(key, 3, true);
    expect(m.lookupAddress(key, 0)).toBe(0);
    arena.view.setUint32(key, 9, true);
    expect(m.lookupAddress(key, 0)).toBe(0);
  });

  it.each([
    ['an inner array with other max_entries fails with EINVAL', 2, 'EINVAL'],
    ['an inner map of another type fails with EINVAL', 3, 'EINVAL'],
    ['an unknown map fails with EBADF', 99, 'EBADF'],
  ])('map array_of_maps - update with %s', (_title, id, errno) => {
    const { m, refs } = outer();
    expect(() => m.update(u32(0), u32(id), UpdateFlag.ANY)).toThrow(code(errno));
    expect(refs.get(id) ?? 0).toBe(0);
  });

  it('map array_of_maps - the fd-only flags (BPF_F_RDONLY) do not count in the match', () => {
    const { m } = outer();
    m.update(u32(0), u32(4), UpdateFlag.ANY);
    expect(readU32(m.lookup(u32(0)))).toBe(4);
  });

  it('map array_of_maps - with BPF_F_INNER_MAP in the template, inner arrays may have any max_entries', () => {
    const w = world();
    w.add(2, spec(MapType.ARRAY, 4, 8, 32, MapFlag.INNER_MAP));
    const m = createMap({ ...spec(MapType.ARRAY_OF_MAPS, 4, 4, 4), inner_map: template(spec(MapType.ARRAY, 4, 8, 16, MapFlag.INNER_MAP)) }, w.arena, 1, { maps: w.table });
    m.update(u32(0), u32(2), UpdateFlag.ANY);
    expect(readU32(m.lookup(u32(0)))).toBe(2);
  });

  it('map array_of_maps - replacing and deleting release the inner map; BPF_NOEXIST is EINVAL', () => {
    const { m, refs } = outer();
    m.update(u32(0), u32(1), UpdateFlag.ANY);
    m.update(u32(0), u32(4), UpdateFlag.ANY);
    expect(refs.get(1)).toBe(0);
    m.delete(u32(0));
    expect(refs.get(4)).toBe(0);
    expect(() => m.update(u32(0), u32(1), UpdateFlag.NOEXIST)).toThrow(code('EINVAL'));
  });

  it('map array_of_maps - creating one without an inner map fails with EBADF', () => {
    expect(() => createMap(spec(MapType.ARRAY_OF_MAPS, 4, 4, 4), new Arena({ initialPages: 4 }))).toThrow(code('EBADF'));
  });
});

describe('map hash_of_maps', () => {
  const innerSpec = spec(MapType.HASH, 4, 8, 16);

  function outer(max = 2) {
    const w = world();
    const inner = w.add(1, innerSpec);
    w.add(2, spec(MapType.HASH, 4, 8, 1024));
    w.add(3, spec(MapType.HASH, 8, 8, 16));
    const m = createMap({ ...spec(MapType.HASH_OF_MAPS, 8, 4, max), inner_map: template(innerSpec) }, w.arena, 1, { maps: w.table }) as HashOfMapsMap;
    return { ...w, inner, m };
  }
  const k = (n: number): Uint8Array => new Uint8Array(new BigUint64Array([BigInt(n)]).buffer);

  it('map hash_of_maps - inner hashes may differ in max_entries (bpf_map_meta_equal); the program side gets the pointer', () => {
    const { m, arena, inner } = outer();
    m.update(k(5), u32(1), UpdateFlag.NOEXIST);
    m.update(k(6), u32(2), UpdateFlag.NOEXIST);
    expect(readU32(m.lookup(k(6)))).toBe(2);
    const key = arena.alloc(8);
    arena.bytes.set(k(5), key);
    expect(mapAtPointer(arena, m.lookupAddress(key, 0))).toBe(inner);
  });

  it.each([
    ['BPF_NOEXIST on an existing key fails with EEXIST', (m: HashOfMapsMap) => m.update(k(5), u32(1), UpdateFlag.NOEXIST), 'EEXIST'],
    ['BPF_EXIST on a missing key fails with ENOENT', (m: HashOfMapsMap) => m.update(k(7), u32(1), UpdateFlag.EXIST), 'ENOENT'],
    [
      'a third key fails with E2BIG',
      (m: HashOfMapsMap) => {
        m.update(k(7), u32(1), UpdateFlag.ANY);
        m.update(k(8), u32(1), UpdateFlag.ANY);
      },
      'E2BIG',
    ],
    ['an inner map with another key size fails with EINVAL', (m: HashOfMapsMap) => m.update(k(7), u32(3), UpdateFlag.ANY), 'EINVAL'],
    ['a missing key delete fails with ENOENT', (m: HashOfMapsMap) => m.delete(k(7)), 'ENOENT'],
  ])('map hash_of_maps - %s', (_title, run, errno) => {
    const { m } = outer();
    m.update(k(5), u32(1), UpdateFlag.ANY);
    expect(() => run(m)).toThrow(code(errno));
  });

  it('map hash_of_maps - a failed update and a delete release what they took', () => {
    const { m, refs } = outer();
    m.update(k(5), u32(1), UpdateFlag.ANY);
    expect(() => m.update(k(5), u32(2), UpdateFlag.NOEXIST)).toThrow(code('EEXIST'));
    expect(refs.get(2)).toBe(0);
    m.delete(k(5));
    expect(refs.get(1)).toBe(0);
  });

  it('map hash_of_maps - create: the value must be 4 bytes (a map id)', () => {
    expect(() => createMap({ ...spec(MapType.HASH_OF_MAPS, 8, 8, 2), inner_map: template(innerSpec) }, new Arena({ initialPages: 4 }))).toThrow(code('EINVAL'));
  });
});

describe('map of maps - the inner map template (bpf_map_meta_alloc)', () => {
  it.each([
    ['a map of maps (one level only)', MapType.ARRAY_OF_MAPS, 'EINVAL'],
    ['a prog_array (no map_meta_equal)', MapType.PROG_ARRAY, 'ENOTSUPP'],
  ])('innerMapSpec - %s fails with %s', (_title, type, errno) => {
    const d = new MapDirectory(new Arena({ initialPages: 8 }));
    const array = d.create({ map_type: 'array', key_size: 4, value_size: 4, max_entries: 2 });
    const candidate =
      type === MapType.PROG_ARRAY
        ? d.create({ map_type: 'prog_array', key_size: 4, value_size: 4, max_entries: 2 })
        : d.create({ map_type: type, key_size: 4, value_size: 4, max_entries: 2, inner_map_id: array });
    expect(() => innerMapSpec(d.get(candidate))).toThrow(code(errno));
    expect(() => d.create({ map_type: 'hash_of_maps', key_size: 4, value_size: 4, max_entries: 2, inner_map_id: candidate })).toThrow(code(errno));
  });

  it('map directory - creates a map of maps from inner_map_id and fills it with map ids', () => {
    const d = new MapDirectory(new Arena({ initialPages: 8 }));
    const inner = d.create({ map_type: 'hash', key_size: 4, value_size: 4, max_entries: 8 });
    const outer = d.create({ map_type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 2, inner_map_id: inner });
    expect(d.get(outer).spec.inner_map).toEqual({ map_type: MapType.HASH, key_size: 4, value_size: 4, max_entries: 8, map_flags: 0 });
    d.update(outer, u32(1), u32(inner), UpdateFlag.ANY);
    expect(d.lookup(outer, u32(1))).toEqual(u32(inner));
    expect(() => d.create({ map_type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 2 })).toThrow(code('EBADF'));
    expect(() => d.create({ map_type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 2, inner_map_id: 999 })).toThrow(code('EBADF'));
  });
});
