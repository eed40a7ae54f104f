import { MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { createMap } from '../create.js';
import type { MapSpec } from '../spec.js';
import type { HashMap } from './hash.js';
import { hashKey } from './key-hash.js';

const spec = (key_size: number, value_size: number, max_entries: number, map_flags = 0, map_type: number = MapType.HASH): MapSpec => ({
  map_type,
  key_size,
  value_size,
  max_entries,
  map_flags,
});
const code = (c: string) => expect.objectContaining({ code: c });
/** A key of `size` bytes from a number (little-endian, repeated). */
const keyOf = (n: number, size: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (n >>> (8 * (i % 4))) & 0xff);
const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0, true);

function allKeys(m: HashMap): Uint8Array[] {
  const out: Uint8Array[] = [];
  let key: Uint8Array | undefined;
  for (;;) {
    try {
      key = m.getNextKey(key);
    } catch (e) {
      expect(e).toMatchObject({ code: 'ENOENT' });
      return out;
    }
    out.push(key);
  }
}

describe('map hash table', () => {
  it.each([
    ['1-byte keys', 1],
    ['3-byte keys', 3],
    ['8-byte keys', 8],
    ['16-byte keys (the longest kept in the slots)', 16],
    ['20-byte keys (compared in the element)', 20],
    ['61-byte keys', 61],
  ])('map hash - %s: a random mix of updates and deletes agrees with a reference map', (_title, size) => {
    const max = size === 1 ? 200 : 300;
    const m = createMap(spec(size, 4, max, MapFlag.NO_PREALLOC), new Arena({ initialPages: 8 })) as HashMap;
    const reference = new Map<string, number>();
    let x = 12345;
    const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    for (let step = 0; step < 3000; step++) {
      const n = next() % (size === 1 ? 256 : 500);
      const key = keyOf(n, size);
      const id = [...key].join(',');
      if (next() % 3 === 0) {
        if (reference.delete(id)) m.delete(key);
        else expect(() => m.delete(key)).toThrow(code('ENOENT'));
      } else if (reference.has(id) || reference.size < max) {
        m.update(key, u32(step), UpdateFlag.ANY);
        reference.set(id, step);
      } else {
        expect(() => m.update(key, u32(step), UpdateFlag.ANY)).toThrow(code('E2BIG'));
      }
    }
    expect(m.count).toBe(reference.size);
    const keys = allKeys(m);
    expect(new Set(keys.map((k) => [...k].join(',')))).toEqual(new Set(reference.keys()));
    for (const key of keys) expect(readU32(m.lookup(key))).toBe(reference.get([...key].join(',')));
  });

  it('map hash - BPF_F_NO_PREALLOC: the limit is the number of keys, so a delete frees a place at once', () => {
    const m = createMap(spec(4, 8, 2, MapFlag.NO_PREALLOC), new Arena({ initialPages: 4 }));
    m.update(u32(1), new Uint8Array(8), UpdateFlag.ANY);
    m.update(u32(2), new Uint8Array(8), UpdateFlag.ANY);
    expect(() => m.update(u32(3), new Uint8Array(8), UpdateFlag.ANY)).toThrow(code('E2BIG'));
    m.delete(u32(1));
    m.update(u32(3), new Uint8Array(8), UpdateFlag.ANY);
  });

  it('map hash - a value keeps its address while its key lives, however many keys come and go (tombstones swept)', () => {
    const arena = new Arena({ initialPages: 8 });
    const m = createMap(spec(4, 8, 64), arena) as HashMap;
    m.update(u32(7), new Uint8Array(8), UpdateFlag.ANY);
    const key = arena.alloc(8);
    arena.view.setUint32(key, 7, true);
    const held = m.lookupAddress(key, 0);
    arena.view.setUint32(held, 0xfeed, true);
    for (let round = 0; round < 50; round++) {
      for (let k = 100; k < 160; k++) m.update(u32(k + round * 1000), new Uint8Array(8), UpdateFlag.ANY);
      for (let k = 100; k < 160; k++) m.delete(u32(k + round * 1000));
      arena.quiescent();
    }
    expect(m.lookupAddress(key, 0)).toBe(held);
    expect(readU32(m.lookup(u32(7)))).toBe(0xfeed);
    expect(allKeys(m)).toEqual([u32(7)]);
  });

  it('map hash - deleting the key just visited does not disturb a get_next_key walk', () => {
    const m = createMap(spec(4, 4, 100), new Arena({ initialPages: 4 })) as HashMap;
    for (let k = 0; k < 100; k++) m.update(u32(k), u32(k), UpdateFlag.ANY);
    const seen = new Set<number>();
    let key = m.getNextKey(undefined);
    for (;;) {
      seen.add(readU32(key));
      let next: Uint8Array | undefined;
      try {
        next = m.getNextKey(key);
      } catch {
        next = undefined;
      }
      m.delete(key);
      if (!next) break;
      key = next;
    }
    expect(seen.size).toBe(100);
    expect(m.count).toBe(0);
  });

  it('map percpu_hash - a new key from a program: its CPU gets the value, the others zero', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = createMap(spec(4, 4, 4, 0, MapType.PERCPU_HASH), arena, 3);
    const key = arena.alloc(8);
    const value = arena.alloc(8);
    arena.view.setUint32(key, 1, true);
    arena.view.setUint32(value, 77, true);
    expect(m.updateAt(key, value, UpdateFlag.ANY, 1)).toBe(0);
    const all = m.lookup(u32(1));
    expect([0, 8, 16].map((at) => new DataView(all.buffer).getUint32(at, true))).toEqual([0, 77, 0]);
  });

  it('map hash - a program update with unknown flags or BPF_F_LOCK fails with -EINVAL', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = createMap(spec(4, 4, 4), arena);
    const key = arena.alloc(8);
    expect(m.updateAt(key, key, 3, 0)).toBe(-22);
    expect(m.updateAt(key, key, UpdateFlag.F_LOCK, 0)).toBe(-22);
    expect(m.updateAt(key, key, UpdateFlag.EXIST, 0)).toBe(-2);
  });

  it.each([1, 2, 3, 4])('map hash - lookupU32 of a %i-byte key gives what lookupAddress gives, present or absent', (size) => {
    const arena = new Arena({ initialPages: 8 });
    const m = createMap(spec(size, 8, 300), arena) as HashMap;
    const limit = 2 ** (8 * size);
    const present = new Set<number>();
    for (let k = 0; k < 300; k++) {
      const n = (Math.imul(k, 0x9e3779b1) >>> 0) % limit;
      m.update(keyOf(n, size), new Uint8Array(8), UpdateFlag.ANY);
      present.add(n);
    }
    for (const n of [...present].slice(0, 50)) m.delete(keyOf(n, size));
    const key = arena.alloc(8);
    const probes = [...present, ...Array.from({ length: Math.min(limit, 1024) }, (_, n) => n)];
    let found = 0;
    for (const n of probes) {
      arena.bytes.set(keyOf(n, size), key);
      arena.bytes[key + size] = 0xee; // a byte past the key, which a lookup must not read
      const address = m.lookupAddress(key, 0);
      expect(m.lookupU32(n)).toBe(address);
      if (address !== 0) found++;
    }
    expect(found).toBeGreaterThanOrEqual(250);
    expect(m.lookupU32(limit)).toBe(0);
    expect(m.lookupU32(-1)).toBe(0);
    expect(m.lookupU32(0.5)).toBe(0);
  });

  it('map percpu_hash - lookupU32 gives the CPU\'s value; a map with 8-byte keys has no u32 keys', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = createMap(spec(4, 4, 4, 0, MapType.PERCPU_HASH), arena, 3) as HashMap;
    m.update(u32(9), new Uint8Array(24), UpdateFlag.ANY);
    const key = arena.alloc(8);
    arena.view.setUint32(key, 9, true);
    expect(m.lookupU32(9, 2)).toBe(m.lookupAddress(key, 2));
    expect(m.lookupU32(9, 2) - m.lookupU32(9, 0)).toBe(16);
    const long = createMap(spec(8, 4, 4), arena) as HashMap;
    long.update(keyOf(9, 8), u32(1), UpdateFlag.ANY);
    expect(long.lookupU32(9)).toBe(0);
  });

  it.each([
    ['aligned', 0],
    ['unaligned', 1],
    ['its own value, shifted (overlapping)', -1],
  ])('map hash - a program update copies a %s value exactly', (_title, shift) => {
    const arena = new Arena({ initialPages: 4 });
    const m = createMap(spec(4, 12, 4), arena) as HashMap;
    const key = arena.alloc(8);
    arena.view.setUint32(key, 5, true);
    m.update(u32(5), Uint8Array.from({ length: 12 }, (_, i) => i + 1), UpdateFlag.ANY);
    const held = m.lookupAddress(key, 0);
    const source = shift < 0 ? held - 4 : arena.alloc(24) + shift;
    const expected = arena.bytes.slice(source, source + 12);
    if (shift >= 0) for (let i = 0; i < 12; i++) arena.bytes[source + i] = 0x40 + i;
    if (shift >= 0) expected.set(arena.bytes.subarray(source, source + 12));
    expect(m.updateAt(key, source, UpdateFlag.EXIST, 0)).toBe(0);
    expect(m.lookupAddress(key, 0)).toBe(held);
    expect([...m.lookup(u32(5))]).toEqual([...expected]);
  });

  it.each([8, 200])('map hash - a syscall lookup returns a copy of a %i-byte value', (size) => {
    const m = createMap(spec(4, size, 4), new Arena({ initialPages: 4 }));
    const value = Uint8Array.from({ length: size }, (_, i) => (i * 7 + 3) & 0xff);
    m.update(u32(1), value, UpdateFlag.ANY);
    const out = m.lookup(u32(1));
    expect(out).toEqual(value);
    out.fill(0);
    expect(m.lookup(u32(1))).toEqual(value);
  });

  it('map hash - layout: a u32 seed with which the key hash finds every key from its home slot (as the JIT probes)', () => {
    const arena = new Arena({ initialPages: 16 });
    for (let map = 0; map < 8; map++) {
      const m = createMap(spec(4, 8, 64), arena) as HashMap;
      for (let k = 0; k < 64; k++) m.update(u32(k * 977), new Uint8Array(8), UpdateFlag.ANY);
      const { seed, capacity, slotsCell, keysInSlots, valueOffset } = m.layout;
      expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
      expect(keysInSlots).toBe(true);
      const slots = arena.u32[slotsCell >> 2]! >> 2;
      for (let k = 0; k < 64; k++) {
        let i = hashKey(seed, 4, u32(k * 977), 0) & (capacity - 1);
        while (arena.u32[slots + 2 * i + 1] !== k * 977) i = (i + 1) & (capacity - 1);
        expect(m.lookupU32(k * 977)).toBe(arena.u32[slots + 2 * i]! + valueOffset);
      }
    }
  });
});
