import { MapType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { createMap } from '../create.js';
import type { BpfMap } from '../map.js';
import type { MapSpec } from '../spec.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const u64 = (n: bigint): Uint8Array => new Uint8Array(new BigUint64Array([n]).buffer);
const readU64 = (b: Uint8Array, at = 0): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(at, true);

const spec = (map_type: number, key_size: number, value_size: number, max_entries: number, map_flags = 0): MapSpec => ({
  map_type,
  key_size,
  value_size,
  max_entries,
  map_flags,
});
const newMap = (s: MapSpec, cpus = 1): BpfMap => createMap(s, new Arena({ initialPages: 4 }), cpus);

describe('map create - kernel checks', () => {
  it.each([
    ['array with an 8-byte key', spec(MapType.ARRAY, 8, 8, 4), 'EINVAL', /key_size must be 4/],
    ['array with no entries', spec(MapType.ARRAY, 4, 8, 0), 'EINVAL', /max_entries must be at least 1/],
    ['array with NO_PREALLOC', spec(MapType.ARRAY, 4, 8, 4, 1), 'EINVAL', /map_flags 0x1 has bits/],
    ['hash with a zero value size', spec(MapType.HASH, 4, 0, 4), 'EINVAL', /value_size must be at least 1/],
    ['hash with a key larger than the stack', spec(MapType.HASH, 513, 8, 4), 'E2BIG', /key_size 513 is larger than the 512-byte stack/],
    ['percpu array with a 64 KiB value', spec(MapType.PERCPU_ARRAY, 4, 65536, 4), 'E2BIG', /value_size 65536 is larger than 32768/],
    ['hash both read-only and write-only', spec(MapType.HASH, 4, 8, 4, 8 | 16), 'EINVAL', /exclude each other/],
    ['a map type not implemented yet', spec(MapType.SOCKMAP, 4, 4, 4), 'EINVAL', /not supported yet/],
  ])('map create - %s fails with %s', (_title, s, code, message) => {
    expect(() => newMap(s)).toThrow(message);
    expect(() => newMap(s)).toThrow(expect.objectContaining({ code }));
  });
});

describe('map array', () => {
  const array = () => newMap(spec(MapType.ARRAY, 4, 12, 3));

  it('map array - elements exist from the start and read as zero', () => {
    expect(array().lookup(u32(2))).toEqual(new Uint8Array(12));
  });

  it('map array - update then lookup returns the value', () => {
    const m = array();
    m.update(u32(1), new Uint8Array(12).fill(7), UpdateFlag.ANY);
    expect(m.lookup(u32(1))).toEqual(new Uint8Array(12).fill(7));
    m.update(u32(1), new Uint8Array(12).fill(8), UpdateFlag.EXIST);
    expect(m.lookup(u32(1))[0]).toBe(8);
  });

  it.each([
    ['update with NOEXIST fails with EEXIST', (m: BpfMap) => m.update(u32(0), new Uint8Array(12), UpdateFlag.NOEXIST), 'EEXIST'],
    ['update past the end fails with E2BIG', (m: BpfMap) => m.update(u32(3), new Uint8Array(12), UpdateFlag.ANY), 'E2BIG'],
    ['lookup past the end fails with ENOENT', (m: BpfMap) => m.lookup(u32(3)), 'ENOENT'],
    ['delete fails with EINVAL', (m: BpfMap) => m.delete(u32(0)), 'EINVAL'],
    ['a value of the wrong size fails with EINVAL', (m: BpfMap) => m.update(u32(0), new Uint8Array(8), UpdateFlag.ANY), 'EINVAL'],
    ['unknown update flags fail with EINVAL', (m: BpfMap) => m.update(u32(0), new Uint8Array(12), 8), 'EINVAL'],
    ['BPF_F_LOCK without a spin lock fails with EINVAL', (m: BpfMap) => m.update(u32(0), new Uint8Array(12), UpdateFlag.F_LOCK), 'EINVAL'],
  ])('map array - %s', (_title, run, code) => {
    expect(() => run(array())).toThrow(expect.objectContaining({ code }));
  });

  it('map array - get_next_key walks 0..max-1, starts over from a missing key, ends with ENOENT', () => {
    const m = array();
    expect(m.getNextKey(undefined)).toEqual(u32(0));
    expect(m.getNextKey(u32(0))).toEqual(u32(1));
    expect(m.getNextKey(u32(1))).toEqual(u32(2));
    expect(() => m.getNextKey(u32(2))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(m.getNextKey(u32(99))).toEqual(u32(0));
  });

  it('map array - the program side gets the value address; an index past the end is NULL', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = createMap(spec(MapType.ARRAY, 4, 8, 4), arena);
    const key = arena.alloc(8);
    arena.view.setUint32(key, 2, true);
    const value = m.lookupAddress(key, 0);
    arena.view.setBigUint64(value, 99n, true);
    expect(readU64(m.lookup(u32(2)))).toBe(99n);
    arena.view.setUint32(key, 4, true);
    expect(m.lookupAddress(key, 0)).toBe(0);
  });

  it('map percpu_array - the syscall side sees one 8-aligned value per CPU; a program sees its own', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = createMap(spec(MapType.PERCPU_ARRAY, 4, 4, 2), arena, 3);
    expect(m.syscallValueSize).toBe(24);
    const key = arena.alloc(8);
    arena.view.setUint32(key, 1, true);
    arena.view.setUint32(m.lookupAddress(key, 2), 0xabcd, true);
    const all = m.lookup(u32(1));
    expect(new DataView(all.buffer).getUint32(16, true)).toBe(0xabcd);
    expect(new DataView(all.buffer).getUint32(0, true)).toBe(0);
  });
});

describe('map hash', () => {
  const hash = (max = 4) => newMap(spec(MapType.HASH, 4, 8, max));

  it('map hash - update, lookup, delete', () => {
    const m = hash();
    m.update(u32(10), u64(100n), UpdateFlag.ANY);
    expect(readU64(m.lookup(u32(10)))).toBe(100n);
    m.delete(u32(10));
    expect(() => m.lookup(u32(10))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it.each([
    ['update with NOEXIST on an existing key fails with EEXIST', (m: BpfMap) => m.update(u32(1), u64(2n), UpdateFlag.NOEXIST), 'EEXIST'],
    ['update with EXIST on a missing key fails with ENOENT', (m: BpfMap) => m.update(u32(9), u64(2n), UpdateFlag.EXIST), 'ENOENT'],
    ['delete of a missing key fails with ENOENT', (m: BpfMap) => m.delete(u32(9)), 'ENOENT'],
    ['lookup of a missing key fails with ENOENT', (m: BpfMap) => m.lookup(u32(9)), 'ENOENT'],
    ['a key of the wrong size fails with EINVAL', (m: BpfMap) => m.lookup(new Uint8Array(3)), 'EINVAL'],
  ])('map hash - %s', (_title, run, code) => {
    const m = hash();
    m.update(u32(1), u64(1n), UpdateFlag.ANY);
    expect(() => run(m)).toThrow(expect.objectContaining({ code }));
  });

  it('map hash - a full map refuses a new key with E2BIG but still updates existing ones', () => {
    const m = hash(2);
    m.update(u32(1), u64(1n), UpdateFlag.ANY);
    m.update(u32(2), u64(2n), UpdateFlag.ANY);
    expect(() => m.update(u32(3), u64(3n), UpdateFlag.ANY)).toThrow(expect.objectContaining({ code: 'E2BIG' }));
    m.update(u32(2), u64(22n), UpdateFlag.EXIST);
    expect(readU64(m.lookup(u32(2)))).toBe(22n);
  });

  it('map hash - get_next_key visits every key exactly once, then ENOENT; a missing key restarts', () => {
    const m = newMap(spec(MapType.HASH, 4, 8, 1000));
    for (let k = 0; k < 1000; k++) m.update(u32(k * 7), u64(BigInt(k)), UpdateFlag.NOEXIST);
    const seen = new Set<number>();
    let key: Uint8Array | undefined;
    for (;;) {
      try {
        key = m.getNextKey(key);
      } catch (e) {
        expect(e).toMatchObject({ code: 'ENOENT' });
        break;
      }
      seen.add(new DataView(key.buffer).getUint32(0, true));
    }
    expect(seen.size).toBe(1000);
    expect(m.getNextKey(u32(1))).toEqual(m.getNextKey(undefined));
  });

  it('map hash - a deleted element is reused only after a grace period (RCU)', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = createMap(spec(MapType.HASH, 4, 8, 1), arena);
    m.update(u32(1), u64(111n), UpdateFlag.ANY);
    const key = arena.alloc(8);
    arena.view.setUint32(key, 1, true);
    const held = m.lookupAddress(key, 0);
    m.delete(u32(1));
    // The only element is waiting for a grace period: the map is full until then.
    expect(() => m.update(u32(2), u64(222n), UpdateFlag.ANY)).toThrow(expect.objectContaining({ code: 'E2BIG' }));
    expect(arena.view.getBigUint64(held, true)).toBe(111n);
    arena.quiescent();
    m.update(u32(2), u64(222n), UpdateFlag.ANY);
    expect(readU64(m.lookup(u32(2)))).toBe(222n);
  });

  it('map hash - the program side returns 0 or a negative errno', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = createMap(spec(MapType.HASH, 4, 8, 4), arena);
    const key = arena.alloc(8);
    const value = arena.alloc(8);
    arena.view.setUint32(key, 5, true);
    arena.view.setBigUint64(value, 55n, true);
    expect(m.updateAt(key, value, UpdateFlag.NOEXIST, 0)).toBe(0);
    expect(m.updateAt(key, value, UpdateFlag.NOEXIST, 0)).toBe(-17);
    expect(arena.view.getBigUint64(m.lookupAddress(key, 0), true)).toBe(55n);
    expect(m.deleteAt(key)).toBe(0);
    expect(m.deleteAt(key)).toBe(-2);
    expect(m.lookupAddress(key, 0)).toBe(0);
  });

  it('map percpu_hash - one value per CPU on the syscall side, the caller CPU on the program side', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = createMap(spec(MapType.PERCPU_HASH, 4, 8, 4), arena, 2);
    m.update(u32(1), new Uint8Array([...u64(10n), ...u64(20n)]), UpdateFlag.ANY);
    const key = arena.alloc(8);
    arena.view.setUint32(key, 1, true);
    expect(arena.view.getBigUint64(m.lookupAddress(key, 1), true)).toBe(20n);
    expect(() => m.update(u32(1), u64(1n), UpdateFlag.ANY)).toThrow(/value is 8 bytes, the map's value size is 16/);
  });

  it('map hash - keys of odd sizes hash and compare on all their bytes', () => {
    const m = newMap(spec(MapType.HASH, 7, 1, 16));
    const k = (x: number) => new Uint8Array([1, 2, 3, 4, 5, 6, x]);
    m.update(k(1), new Uint8Array([1]), UpdateFlag.ANY);
    m.update(k(2), new Uint8Array([2]), UpdateFlag.ANY);
    expect(m.lookup(k(2))).toEqual(new Uint8Array([2]));
    expect(() => m.lookup(k(3))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
