import { BpfError, MapFlag, MapType, UpdateFlag, errnoNumber } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { type MapSpec, KMALLOC_MAX_SIZE, checkCommonSpec } from '../spec.js';
import { HTAB_ELEM_SIZE, LOCAL_FREE_TARGET, type LruHashMap, PERCPU_FREE_TARGET, lruHashSupport } from './lru-hash.js';

type LruType = typeof MapType.LRU_HASH | typeof MapType.LRU_PERCPU_HASH;

const spec = (map_type: LruType, key_size: number, value_size: number, max_entries: number, map_flags = 0): MapSpec => ({
  map_type,
  key_size,
  value_size,
  max_entries,
  map_flags,
});

/** What createMap does once the type is registered: the common checks, the type's, then create. */
function make(s: MapSpec, cpus = 1, arena = new Arena({ initialPages: 4 })): LruHashMap {
  const support = lruHashSupport(s.map_type as LruType);
  checkCommonSpec(s, support.allowedFlags);
  support.check(s);
  return support.create(s, arena, cpus) as LruHashMap;
}

const u64 = (n: number | bigint): Uint8Array => new Uint8Array(new BigUint64Array([BigInt(n)]).buffer);
const readU64 = (b: Uint8Array, at = 0): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(at, true);

/**
 * test_lru_map.c's view of a map: u64 keys, u64 values (one per CPU for LRU_PERCPU_HASH),
 * syscalls on CPU 0, and "lookup with ref bit" as a program lookup on a chosen CPU.
 */
class Lru {
  readonly arena = new Arena({ initialPages: 4 });
  readonly map: LruHashMap;
  readonly #keyAt: number;
  readonly #valueAt: number;

  constructor(
    readonly type: LruType,
    readonly flags: number,
    size: number,
    readonly ncpus = 1,
  ) {
    this.map = make(spec(type, 8, 8, size, flags), ncpus, this.arena);
    this.#keyAt = this.arena.alloc(8);
    this.#valueAt = this.arena.alloc(8);
  }

  #value(v: number): Uint8Array {
    const out = new Uint8Array(this.map.syscallValueSize);
    out.set(u64(v));
    return out;
  }

  /** bpf_map_update_elem from user space: 0 or -errno. */
  update(key: number, flags: number, value = 1234): number {
    try {
      this.map.update(u64(key), this.#value(value), flags);
      return 0;
    } catch (e) {
      if (e instanceof BpfError) return -errnoNumber(e.code)!;
      throw e;
    }
  }

  /** bpf_map_update_elem from a program on `cpu`. */
  updateOn(cpu: number, key: number, flags: number, value = 1234): number {
    this.arena.view.setBigUint64(this.#keyAt, BigInt(key), true);
    this.arena.view.setBigUint64(this.#valueAt, BigInt(value), true);
    return this.map.updateAt(this.#keyAt, this.#valueAt, flags, cpu);
  }

  /** bpf_map_lookup_elem from user space: value[0], or -ENOENT. Does not mark the element. */
  lookup(key: number): number {
    try {
      return Number(readU64(this.map.lookup(u64(key))));
    } catch (e) {
      if (e instanceof BpfError) return -errnoNumber(e.code)!;
      throw e;
    }
  }

  /** bpf_map_lookup_elem_with_ref_bit: a program lookup, which sets the ref bit. */
  lookupRef(key: number, cpu = 0): number {
    this.arena.view.setBigUint64(this.#keyAt, BigInt(key), true);
    const at = this.map.lookupAddress(this.#keyAt, cpu);
    return at === 0 ? -2 : Number(this.arena.view.getBigUint64(at, true));
  }

  delete(key: number): number {
    try {
      this.map.delete(u64(key));
      return 0;
    } catch (e) {
      if (e instanceof BpfError) return -errnoNumber(e.code)!;
      throw e;
    }
  }

  /** Every key with value[0], by get_next_key. */
  contents(): Map<number, number> {
    const out = new Map<number, number>();
    let key: Uint8Array | undefined;
    for (;;) {
      try {
        key = this.map.getNextKey(key);
      } catch (e) {
        expect(e).toMatchObject({ code: 'ENOENT' });
        return out;
      }
      const k = Number(readU64(key));
      expect(out.has(k)).toBe(false);
      out.set(k, Number(readU64(this.map.lookup(key))));
    }
  }

  keys(): number[] {
    return [...this.contents().keys()].sort((a, b) => a - b);
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const expected = (keys: number[], value = 1234): Map<number, number> => new Map(keys.map((k) => [k, value]));

const ENOENT = -2;
const EEXIST = -17;
const EINVAL = -22;

describe('map lru_hash - create', () => {
  const E2BIG_SIZE = KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE;
  it.each([
    ['BPF_F_NO_PREALLOC', spec(MapType.LRU_HASH, 4, 8, 4, MapFlag.NO_PREALLOC), 'ENOTSUPP', /always preallocated/],
    ['percpu with BPF_F_NO_PREALLOC', spec(MapType.LRU_PERCPU_HASH, 4, 8, 4, MapFlag.NO_PREALLOC), 'ENOTSUPP', /always preallocated/],
    ['BPF_F_NUMA_NODE with per-CPU values', spec(MapType.LRU_PERCPU_HASH, 4, 8, 4, MapFlag.NUMA_NODE), 'EINVAL', /NUMA_NODE/],
    ['BPF_F_NUMA_NODE with BPF_F_NO_COMMON_LRU', spec(MapType.LRU_HASH, 4, 8, 4, MapFlag.NUMA_NODE | MapFlag.NO_COMMON_LRU), 'EINVAL', /NUMA_NODE/],
    ['a flag hash maps do not take (BPF_F_MMAPABLE)', spec(MapType.LRU_HASH, 4, 8, 4, MapFlag.MMAPABLE), 'EINVAL', /map_flags 0x400/],
    ['BPF_F_RDONLY with BPF_F_WRONLY', spec(MapType.LRU_HASH, 4, 8, 4, MapFlag.RDONLY | MapFlag.WRONLY), 'EINVAL', /exclude each other/],
    ['no entries', spec(MapType.LRU_HASH, 4, 8, 0), 'EINVAL', /max_entries must be at least 1/],
    ['a zero key size', spec(MapType.LRU_HASH, 0, 8, 4), 'EINVAL', /key_size must be at least 1/],
    ['a zero value size', spec(MapType.LRU_HASH, 4, 0, 4), 'EINVAL', /value_size must be at least 1/],
    ['key + value too large for one kmalloc', spec(MapType.LRU_HASH, 8, E2BIG_SIZE - 8, 4), 'E2BIG', /must be less than/],
    ['a per-CPU value larger than 32 KiB', spec(MapType.LRU_PERCPU_HASH, 4, 32769, 4), 'E2BIG', /per-CPU limit/],
    ['more than 2^31 entries', spec(MapType.LRU_HASH, 4, 8, 2 ** 31 + 1), 'E2BIG', /larger than 2\^31/],
  ])('map lru_hash - create with %s fails with %s', (_title, s, code, message) => {
    expect(() => make(s)).toThrow(message);
    expect(() => make(s)).toThrow(expect.objectContaining({ code }));
  });

  it.each([
    ['a key larger than the stack (Linux 5.11+)', spec(MapType.LRU_HASH, 513, 8, 4)],
    ['key + value one byte under the kmalloc limit', spec(MapType.LRU_HASH, 8, KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE - 9, 1)],
    ['a 32 KiB per-CPU value', spec(MapType.LRU_PERCPU_HASH, 4, 32768, 1)],
    ['BPF_F_NUMA_NODE on a common LRU', spec(MapType.LRU_HASH, 4, 8, 4, MapFlag.NUMA_NODE)],
    ['BPF_F_ZERO_SEED and access flags', spec(MapType.LRU_HASH, 4, 8, 4, MapFlag.ZERO_SEED | MapFlag.RDONLY_PROG)],
  ])('map lru_hash - create with %s succeeds', (_title, s) => {
    const arena = new Arena({ initialPages: 4, maximumPages: 1024 });
    expect(make(s, 1, arena).spec.max_entries).toBe(s.max_entries);
  });

  it.each([
    [5, 4, 8],
    [8, 4, 8],
    [1, 3, 3],
    [7, 1, 7],
  ])('map lru_hash - BPF_F_NO_COMMON_LRU rounds max_entries %i up to a multiple of %i CPUs: %i', (max, cpus, rounded) => {
    expect(make(spec(MapType.LRU_HASH, 4, 8, max, MapFlag.NO_COMMON_LRU), cpus).spec.max_entries).toBe(rounded);
    expect(make(spec(MapType.LRU_HASH, 4, 8, max), cpus).spec.max_entries).toBe(max);
  });

  it('map lru_hash - BPF_F_NO_COMMON_LRU rounding past 2^31 fails with E2BIG', () => {
    expect(() => make(spec(MapType.LRU_HASH, 4, 8, 2 ** 31 - 1, MapFlag.NO_COMMON_LRU), 3)).toThrow(expect.objectContaining({ code: 'E2BIG' }));
  });
});

describe('map lru_hash - operations', () => {
  const types: [string, LruType][] = [
    ['lru_hash', MapType.LRU_HASH],
    ['lru_percpu_hash', MapType.LRU_PERCPU_HASH],
  ];

  it.each(types)('map %s - update, lookup, delete', (_name, type) => {
    const m = new Lru(type, 0, 4);
    expect(m.update(10, UpdateFlag.ANY, 100)).toBe(0);
    expect(m.lookup(10)).toBe(100);
    expect(m.update(10, UpdateFlag.EXIST, 101)).toBe(0);
    expect(m.lookup(10)).toBe(101);
    expect(m.delete(10)).toBe(0);
    expect(m.lookup(10)).toBe(ENOENT);
    expect(m.map.count).toBe(0);
  });

  const errors: [string, (m: Lru) => number, number][] = [
    ['update with NOEXIST on an existing key fails with EEXIST', (m) => m.update(1, UpdateFlag.NOEXIST), EEXIST],
    ['update with EXIST on a missing key fails with ENOENT', (m) => m.update(9, UpdateFlag.EXIST), ENOENT],
    ['update with NOEXIST|EXIST fails with EINVAL', (m) => m.update(9, 3), EINVAL],
    ['update with an unknown flag fails with EINVAL', (m) => m.update(9, 8), EINVAL],
    ['update with flags -1 fails with EINVAL', (m) => m.update(9, -1), EINVAL],
    ['update with BPF_F_LOCK fails with EINVAL', (m) => m.update(1, UpdateFlag.F_LOCK), EINVAL],
    ['delete of a missing key fails with ENOENT', (m) => m.delete(9), ENOENT],
    ['lookup of a missing key fails with ENOENT', (m) => m.lookup(9), ENOENT],
    ['program update with NOEXIST on an existing key returns -EEXIST', (m) => m.updateOn(0, 1, UpdateFlag.NOEXIST), EEXIST],
    ['program update with EXIST on a missing key returns -ENOENT', (m) => m.updateOn(0, 9, UpdateFlag.EXIST), ENOENT],
    ['program update with unknown flags returns -EINVAL', (m) => m.updateOn(0, 9, 4), EINVAL],
    ['program lookup of a missing key returns NULL', (m) => m.lookupRef(9), ENOENT],
  ];
  for (const [name, type] of types) {
    it.each(errors)(`map ${name} - %s`, (_title, run, errno) => {
      const m = new Lru(type, 0, 4);
      expect(m.update(1, UpdateFlag.ANY)).toBe(0);
      expect(run(m)).toBe(errno);
    });
  }

  it.each([
    ['a key of the wrong size', (m: LruHashMap) => m.lookup(new Uint8Array(3))],
    ['a value of the wrong size', (m: LruHashMap) => m.update(u64(1), new Uint8Array(4), UpdateFlag.ANY)],
    ['get_next_key with a key of the wrong size', (m: LruHashMap) => m.getNextKey(new Uint8Array(9))],
  ])('map lru_hash - %s fails with EINVAL', (_title, run) => {
    expect(() => run(make(spec(MapType.LRU_HASH, 8, 8, 4)))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('map lru_hash - program delete returns 0, then -ENOENT', () => {
    const m = new Lru(MapType.LRU_HASH, 0, 4);
    m.update(5, UpdateFlag.ANY);
    const key = m.arena.alloc(8);
    m.arena.view.setBigUint64(key, 5n, true);
    expect(m.map.deleteAt(key)).toBe(0);
    expect(m.map.deleteAt(key)).toBe(ENOENT);
  });

  it('map lru_hash - get_next_key visits every key exactly once, then ENOENT; a missing key restarts', () => {
    // 1024 = 8 refills of 128: no eviction before the map is full (see "may evict before it is full").
    const m = new Lru(MapType.LRU_HASH, 0, 1024);
    for (let k = 0; k < 1000; k++) expect(m.update(k * 7, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.keys()).toEqual(range(0, 1000).map((k) => k * 7));
    expect(m.map.getNextKey(u64(1))).toEqual(m.map.getNextKey(undefined));
  });

  it('map lru_hash - a program on a CPU the map does not have is a RangeError', () => {
    const m = new Lru(MapType.LRU_HASH, 0, 4, 2);
    expect(() => m.lookupRef(1, 2)).toThrow(RangeError);
    expect(() => m.updateOn(-1, 1, UpdateFlag.ANY)).toThrow(RangeError);
  });
});

describe('map lru_hash - eviction', () => {
  /** Fills a 4-entry common LRU on one CPU (target_free = 2) with keys 1..4. */
  const full4 = (type: LruType = MapType.LRU_HASH): Lru => {
    const m = new Lru(type, 0, 4);
    for (const k of [1, 2, 3, 4]) expect(m.update(k, UpdateFlag.NOEXIST)).toBe(0);
    return m;
  };

  it('map lru_hash - target_free is max_entries / CPUs / 2, clamped to 1..128', () => {
    expect(new Lru(MapType.LRU_HASH, 0, 4).map.lru.targetFree).toBe(2);
    expect(new Lru(MapType.LRU_HASH, 0, 1).map.lru.targetFree).toBe(1);
    expect(new Lru(MapType.LRU_HASH, 0, 1000, 4).map.lru.targetFree).toBe(125);
    expect(new Lru(MapType.LRU_HASH, 0, 1024).map.lru.targetFree).toBe(LOCAL_FREE_TARGET);
    expect(new Lru(MapType.LRU_HASH, 0, 3, 4).map.lru.targetFree).toBe(1);
  });

  it('map lru_hash - a full map evicts the least recently used keys, target_free at a time', () => {
    const m = full4();
    expect(m.update(5, UpdateFlag.NOEXIST)).toBe(0);
    // The refill shrank the inactive list from its tail by target_free = 2: keys 1 and 2.
    expect(m.keys()).toEqual([3, 4, 5]);
    // The second node of that refill is still free: no eviction.
    expect(m.update(6, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.keys()).toEqual([3, 4, 5, 6]);
    expect(m.update(7, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.keys()).toEqual([5, 6, 7]);
    expect(m.map.count).toBe(3);
  });

  it('map lru_hash - a common LRU may evict before it is full: a refill takes target_free nodes even when fewer are free', () => {
    const m = new Lru(MapType.LRU_HASH, 0, 1000);
    // 7 refills of 128 nodes serve 896 inserts; the 8th finds 104 free nodes and shrinks 24 more.
    for (const k of range(0, 896)) expect(m.update(k, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.map.count).toBe(896);
    expect(m.update(896, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.map.count).toBe(873);
    expect(m.keys()).toEqual(range(24, 897));
  });

  it('map lru_hash - a program lookup sets the ref bit, so the key survives the next shrink', () => {
    const m = full4();
    expect(m.lookupRef(1)).toBe(1234);
    expect(m.update(5, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.keys()).toEqual([1, 4, 5]);
  });

  it('map lru_hash - a syscall lookup does not set the ref bit (Linux: map_lookup_elem_sys_only)', () => {
    const m = full4();
    expect(m.lookup(1)).toBe(1234);
    expect(m.update(5, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.keys()).toEqual([3, 4, 5]);
  });

  it('map lru_hash - an update that fails with EEXIST still takes a node first, so it can evict (as Linux)', () => {
    const m = full4();
    expect(m.update(4, UpdateFlag.NOEXIST)).toBe(EEXIST);
    expect(m.keys()).toEqual([3, 4]);
  });

  it('map lru_hash - an update that fails with EINVAL (bad flags) evicts nothing', () => {
    const m = full4();
    expect(m.update(5, 3)).toBe(EINVAL);
    expect(m.keys()).toEqual([1, 2, 3, 4]);
  });

  it('map lru_hash - replacing an existing key in a full map takes a new element and can evict others', () => {
    const m = full4();
    expect(m.update(4, UpdateFlag.EXIST, 44)).toBe(0);
    expect(m.contents()).toEqual(new Map([[3, 1234], [4, 44]]));
  });

  it('map lru_percpu_hash - BPF_EXIST on an existing key updates in place without taking a node', () => {
    const m = full4(MapType.LRU_PERCPU_HASH);
    expect(m.update(4, UpdateFlag.EXIST, 44)).toBe(0);
    expect(m.keys()).toEqual([1, 2, 3, 4]);
    expect(m.lookup(4)).toBe(44);
    // BPF_ANY does take a node (and gives it back): the refill evicts 1 and 2.
    expect(m.update(4, UpdateFlag.ANY, 45)).toBe(0);
    expect(m.contents()).toEqual(new Map([[3, 1234], [4, 45]]));
  });

  it('map lru_hash - BPF_F_NO_COMMON_LRU: a CPU evicts only elements it inserted', () => {
    const m = new Lru(MapType.LRU_HASH, MapFlag.NO_COMMON_LRU, 4, 2);
    expect(m.updateOn(0, 1, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.updateOn(0, 2, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.updateOn(1, 3, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.updateOn(1, 4, UpdateFlag.NOEXIST)).toBe(0);
    // CPU 0's two nodes are both in use: it shrinks its own list (up to 4 at a time).
    expect(m.updateOn(0, 5, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.keys()).toEqual([3, 4, 5]);
    expect(m.updateOn(0, 6, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.keys()).toEqual([3, 4, 5, 6]);
    // The syscall side is CPU 0.
    expect(m.update(7, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.keys()).toEqual([3, 4, 7]);
  });

  it('map lru_hash - a CPU with no free node steals one from another CPU (common LRU)', () => {
    const m = new Lru(MapType.LRU_HASH, 0, 1, 2);
    expect(m.updateOn(0, 1, UpdateFlag.NOEXIST)).toBe(0);
    // The only node is on CPU 0's pending list; CPU 1 finds nothing global and steals it.
    expect(m.updateOn(1, 2, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.keys()).toEqual([2]);
    expect(m.map.lru.cpuOf(0)).toBe(1);
  });
});

describe('map lru_hash - RCU: freed elements wait for a grace period', () => {
  it('map lru_hash - an evicted element keeps its value until a grace period, then its storage is reused', () => {
    const m = new Lru(MapType.LRU_HASH, 0, 1);
    const key = m.arena.alloc(8);
    const addressOf = (k: number): number => {
      m.arena.view.setBigUint64(key, BigInt(k), true);
      return m.map.lookupAddress(key, 0);
    };
    expect(m.update(1, UpdateFlag.ANY, 111)).toBe(0);
    const held1 = addressOf(1);
    expect(m.update(2, UpdateFlag.ANY, 222)).toBe(0);
    expect(m.keys()).toEqual([2]);
    const held2 = addressOf(2);
    expect(m.update(3, UpdateFlag.ANY, 333)).toBe(0);
    expect(m.keys()).toEqual([3]);
    // Three elements so far: evicted ones keep their values and are not handed out again.
    expect(new Set([held1, held2, addressOf(3)]).size).toBe(3);
    expect(m.arena.view.getBigUint64(held1, true)).toBe(111n);
    expect(m.arena.view.getBigUint64(held2, true)).toBe(222n);
    m.arena.quiescent();
    expect(m.update(4, UpdateFlag.ANY, 444)).toBe(0);
    expect([held1, held2]).toContain(addressOf(4));
  });

  it('map lru_hash - replacing a key gives a new value address; a held pointer keeps the old value', () => {
    const m = new Lru(MapType.LRU_HASH, 0, 4);
    m.update(1, UpdateFlag.ANY, 1);
    const key = m.arena.alloc(8);
    m.arena.view.setBigUint64(key, 1n, true);
    const before = m.map.lookupAddress(key, 0);
    m.update(1, UpdateFlag.ANY, 2);
    const after = m.map.lookupAddress(key, 0);
    expect(after).not.toBe(before);
    expect(m.arena.view.getBigUint64(before, true)).toBe(1n);
    expect(m.arena.view.getBigUint64(after, true)).toBe(2n);
  });

  it('map lru_percpu_hash - updating a key writes in place: the value address stays', () => {
    const m = new Lru(MapType.LRU_PERCPU_HASH, 0, 4, 2);
    m.update(1, UpdateFlag.ANY, 1);
    const key = m.arena.alloc(8);
    m.arena.view.setBigUint64(key, 1n, true);
    const before = m.map.lookupAddress(key, 0);
    m.update(1, UpdateFlag.ANY, 2);
    expect(m.map.lookupAddress(key, 0)).toBe(before);
    expect(m.arena.view.getBigUint64(before, true)).toBe(2n);
  });

  it('map lru_hash - when freed elements wait and the arena cannot grow, an update fails with ENOMEM', () => {
    // 2 pages: the NULL guard and one page, room for one 40 KB element but not two.
    const arena = new Arena({ initialPages: 2, maximumPages: 2 });
    const m = make(spec(MapType.LRU_HASH, 8, 40000, 1), 1, arena);
    m.update(u64(1), new Uint8Array(40000).fill(1), UpdateFlag.ANY);
    // Key 1 is evicted, but its storage waits for a grace period and there is no room for another.
    expect(() => m.update(u64(2), new Uint8Array(40000).fill(2), UpdateFlag.ANY)).toThrow(expect.objectContaining({ code: 'ENOMEM' }));
    expect(m.count).toBe(0);
    arena.quiescent();
    m.update(u64(2), new Uint8Array(40000).fill(2), UpdateFlag.ANY);
    expect(m.lookup(u64(2))[0]).toBe(2);
  });
});

describe('map lru_percpu_hash - per-CPU values', () => {
  it('map lru_percpu_hash - the syscall side reads and writes one 8-aligned value per CPU', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = make(spec(MapType.LRU_PERCPU_HASH, 4, 4, 4), 3, arena);
    expect(m.syscallValueSize).toBe(24);
    const values = new Uint8Array(24);
    values.set([1, 0, 0, 0], 0);
    values.set([2, 0, 0, 0], 8);
    values.set([3, 0, 0, 0], 16);
    m.update(new Uint8Array([7, 0, 0, 0]), values, UpdateFlag.ANY);
    expect(m.lookup(new Uint8Array([7, 0, 0, 0]))).toEqual(values);
    const key = arena.alloc(8);
    arena.view.setUint32(key, 7, true);
    expect(arena.view.getUint32(m.lookupAddress(key, 2), true)).toBe(3);
  });

  it('map lru_percpu_hash - a program inserting a key writes its CPU and zeroes the others', () => {
    const m = new Lru(MapType.LRU_PERCPU_HASH, 0, 4, 2);
    expect(m.updateOn(1, 9, UpdateFlag.ANY, 99)).toBe(0);
    const all = m.map.lookup(u64(9));
    expect(readU64(all, 0)).toBe(0n);
    expect(readU64(all, 8)).toBe(99n);
    expect(m.updateOn(0, 9, UpdateFlag.EXIST, 98)).toBe(0);
    expect(readU64(m.map.lookup(u64(9)), 0)).toBe(98n);
    expect(readU64(m.map.lookup(u64(9)), 8)).toBe(99n);
  });
});

/*
 * tools/testing/selftests/bpf/test_lru_map.c (the target_free = map_size / nr_cpus / 2 version),
 * step for step: every type and flag combination, on 1 and on 4 CPUs, the test pinned to CPU 0.
 */
describe('map lru_hash - the kernel selftests (test_lru_map.c)', () => {
  const cases: [string, LruType, number, number][] = [];
  for (const ncpus of [1, 4]) {
    for (const [flagName, flags] of [
      ['common LRU', 0],
      ['BPF_F_NO_COMMON_LRU', MapFlag.NO_COMMON_LRU],
    ] as const) {
      cases.push([`lru_hash, ${flagName}, ${ncpus} CPU(s)`, MapType.LRU_HASH, flags, ncpus]);
      cases.push([`lru_percpu_hash, ${flagName}, ${ncpus} CPU(s)`, MapType.LRU_PERCPU_HASH, flags, ncpus]);
    }
  }
  const tgtFree = (flags: number): number => ((flags & MapFlag.NO_COMMON_LRU) !== 0 ? PERCPU_FREE_TARGET : LOCAL_FREE_TARGET);
  const isPercpuLru = (flags: number): boolean => (flags & MapFlag.NO_COMMON_LRU) !== 0;
  /** Some scenarios are for one kind of LRU only, as in the selftest. */
  const common = cases.filter(([, , flags]) => !isPercpuLru(flags));
  const percpuLru = cases.filter(([, , flags]) => isPercpuLru(flags));

  it.each(cases)('map lru_hash - sanity0: a referenced key survives, the other is evicted (%s)', (_t, type, flags, ncpus) => {
    const m = new Lru(type, flags, isPercpuLru(flags) ? 2 * ncpus : 2, ncpus);
    expect(m.update(1, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.update(1, UpdateFlag.NOEXIST)).toBe(EEXIST);
    expect(m.update(1, -1)).toBe(EINVAL);
    expect(m.lookup(2)).toBe(ENOENT);
    expect(m.update(2, UpdateFlag.EXIST)).toBe(ENOENT);
    expect(m.update(2, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.lookup(3)).toBe(ENOENT);
    expect(m.lookupRef(1)).toBe(1234);
    expect(m.update(3, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.lookup(2)).toBe(ENOENT);
    expect(m.lookup(1)).toBe(1234);
    expect(m.delete(1)).toBe(0);
    expect(m.contents()).toEqual(expected([3]));
  });

  it.each(common)('map lru_hash - sanity1: unreferenced elements are recycled before referenced ones (%s)', (_t, type, flags, ncpus) => {
    const tgt = tgtFree(flags);
    const batch = tgt / 2;
    const mapSize = (n: number): number => n * ncpus * 2;
    const m = new Lru(type, flags, mapSize(tgt) + batch, ncpus);
    for (const k of range(1, 1 + mapSize(tgt))) expect(m.update(k, UpdateFlag.NOEXIST)).toBe(0);
    for (const k of range(1, 1 + batch)) expect(m.lookupRef(k)).toBe(1234);
    const later = range(1 + mapSize(tgt), 1 + 2 * mapSize(tgt));
    for (const k of later) expect(m.update(k, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.contents()).toEqual(expected([...range(1, 1 + batch), ...later]));
  });

  it.each(common)('map lru_hash - sanity2: insertions past the map size recycle the oldest (%s)', (_t, type, flags, ncpus) => {
    const tgt = tgtFree(flags);
    const batch = tgt / 2;
    const mapSize = (n: number): number => n * ncpus * 2;
    const m = new Lru(type, flags, mapSize(tgt) + batch, ncpus);
    for (const k of range(1, 1 + mapSize(tgt))) expect(m.update(k, UpdateFlag.NOEXIST)).toBe(0);
    if (type === MapType.LRU_PERCPU_HASH) {
      expect(m.update(1, UpdateFlag.NOEXIST)).toBe(0);
      expect(m.delete(1)).toBe(0);
    } else {
      // The update takes a node first: the refill evicts key 1, so BPF_EXIST then fails.
      expect(m.update(1, UpdateFlag.EXIST)).not.toBe(0);
    }
    const want = new Map<number, number>();
    for (const k of range(1, 1 + batch)) {
      expect(m.lookup(k)).toBe(ENOENT);
      expect(m.update(k, UpdateFlag.NOEXIST, 4321)).toBe(0);
      expect(m.lookupRef(k)).toBe(4321);
      want.set(k, 4321);
    }
    let key = 1 + mapSize(tgt);
    for (const end = key + batch; key < end; key++) expect(m.update(key, UpdateFlag.NOEXIST)).toBe(0);
    for (const end = key + mapSize(tgt); key < end; key++) {
      expect(m.update(key, UpdateFlag.NOEXIST)).toBe(0);
      want.set(key, 1234);
    }
    expect(m.contents()).toEqual(want);
  });

  it.each(common)('map lru_hash - sanity3: active/inactive rotation replaces the unreferenced elements (%s)', (_t, type, flags, ncpus) => {
    const batch = Math.floor(tgtFree(flags) / ncpus / 2);
    const mapSize = batch * ncpus * 2;
    const m = new Lru(type, flags, mapSize, ncpus);
    for (const k of range(1, 1 + mapSize)) expect(m.update(k, UpdateFlag.NOEXIST)).toBe(0);
    const referenced = range(1, 1 + mapSize - batch);
    for (const k of referenced) expect(m.lookupRef(k)).toBe(1234);
    const added = range(1 + mapSize, 1 + mapSize + batch);
    for (const k of added) expect(m.update(k, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.contents()).toEqual(expected([...referenced, ...added]));
  });

  it.each(cases)('map lru_hash - sanity4: deleted elements are reused before evicting (%s)', (_t, type, flags, ncpus) => {
    const tgt = tgtFree(flags);
    const m = new Lru(type, flags, isPercpuLru(flags) ? 3 * tgt * ncpus : 3 * tgt * ncpus * 2, ncpus);
    for (const k of range(1, 2 * tgt + 1)) expect(m.update(k, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.update(1, UpdateFlag.NOEXIST)).not.toBe(0);
    const kept = range(1, tgt + 1);
    for (const k of kept) expect(m.lookupRef(k)).toBe(1234);
    for (const k of range(tgt + 1, 2 * tgt + 1)) {
      expect(m.delete(k)).toBe(0);
      expect(m.delete(k)).not.toBe(0);
    }
    const added = range(2 * tgt + 1, 4 * tgt + 1);
    for (const k of added) expect(m.update(k, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.contents()).toEqual(expected([...kept, ...added]));
  });

  it.each(common)('map lru_hash - sanity5: a one-element map, updated from every CPU in turn (%s)', (_t, type, flags, ncpus) => {
    const m = new Lru(type, flags, 1, ncpus);
    let key = 0;
    expect(m.update(key, UpdateFlag.NOEXIST)).toBe(0);
    for (let cpu = 0; cpu < ncpus; cpu++, key++) {
      expect(m.lookupRef(key, cpu)).not.toBe(ENOENT);
      expect(m.updateOn(cpu, key + 1, UpdateFlag.NOEXIST)).toBe(0);
      expect(m.lookupRef(key + 1, cpu)).not.toBe(ENOENT);
      expect(m.lookup(key)).toBe(ENOENT);
    }
    expect(m.keys()).toEqual([ncpus]);
  });

  it.each(percpuLru)('map lru_hash - sanity6: per-CPU LRU rotation keeps the sticky referenced keys (%s)', (_t, type, flags, ncpus) => {
    const tgt = tgtFree(flags);
    const m = new Lru(type, flags, tgt * 2 * ncpus, ncpus);
    const stable = range(1, tgt + 1);
    for (const k of stable) expect(m.update(k, UpdateFlag.NOEXIST)).toBe(0);
    let key = tgt + 1;
    for (; key <= tgt * 2; key++) {
      for (const s of stable) expect(m.lookupRef(s)).toBe(1234);
      expect(m.update(key, UpdateFlag.NOEXIST)).toBe(0);
    }
    const added: number[] = [];
    for (; key <= tgt * 3; key++) {
      expect(m.update(key, UpdateFlag.NOEXIST)).toBe(0);
      added.push(key);
    }
    expect(m.contents()).toEqual(expected([...stable, ...added]));
  });

  it.each(cases)('map lru_hash - sanity7: a datapath lookup protects a key, a syscall lookup does not (%s)', (_t, type, flags, ncpus) => {
    const m = new Lru(type, flags, isPercpuLru(flags) ? 2 * ncpus : 2, ncpus);
    expect(m.update(1, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.update(1, UpdateFlag.NOEXIST)).toBe(EEXIST);
    expect(m.lookup(2)).toBe(ENOENT);
    expect(m.update(2, UpdateFlag.EXIST)).toBe(ENOENT);
    expect(m.update(2, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.lookup(3)).toBe(ENOENT);
    expect(m.lookupRef(1)).toBe(1234);
    expect(m.lookup(2)).toBe(1234);
    expect(m.update(3, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.lookup(2)).toBe(ENOENT);
    expect(m.contents()).toEqual(expected([1, 3]));
  });

  it.each(cases)('map lru_hash - sanity8: a syscall lookup does not protect a key, a datapath lookup does (%s)', (_t, type, flags, ncpus) => {
    const m = new Lru(type, flags, isPercpuLru(flags) ? 2 * ncpus : 2, ncpus);
    expect(m.update(1, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.update(1, UpdateFlag.NOEXIST)).toBe(EEXIST);
    expect(m.lookup(2)).toBe(ENOENT);
    expect(m.update(2, UpdateFlag.EXIST)).toBe(ENOENT);
    expect(m.update(2, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.lookup(3)).toBe(ENOENT);
    expect(m.lookup(1)).toBe(1234);
    expect(m.lookupRef(2)).toBe(1234);
    expect(m.update(3, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.lookup(1)).toBe(ENOENT);
    expect(m.contents()).toEqual(expected([2, 3]));
  });
});
