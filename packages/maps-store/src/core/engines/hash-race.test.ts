import { MapFlag, MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { createMap } from '../create.js';
import type { HashMap } from './hash.js';
import { probeWord } from './hash-probe.js';
import { hashWord, hashWords } from './key-hash.js';

/*
 * A lock-free reader racing the writer, in a chosen order (no threads, no timing): the reader reads
 * a slot's link, then the writer deletes that slot's key and inserts another key on the same probe
 * path, then the reader compares the slot's key words. The writer must not put the new key's words
 * into the slot the reader holds (hash.ts: tombstones wait for a grace period), or the reader would
 * return the deleted key's element for the new key.
 */

const VALUE_SIZE = 8;

/** A HASH map with a zero seed (so the test can pick colliding keys) of `keySize`-byte keys and 8-byte values. */
function hashMap(keySize: number, maxEntries = 8, flags = 0): { map: HashMap; arena: Arena } {
  const arena = new Arena();
  const spec = { map_type: MapType.HASH, key_size: keySize, value_size: VALUE_SIZE, max_entries: maxEntries, map_flags: MapFlag.ZERO_SEED | flags };
  const map = createMap(spec, arena) as HashMap;
  return { map, arena };
}

/** `n` as a key of `size` bytes: its u32 words are n, n ^ 0x5a5a5a5a, … (the last cut to size). */
const keyBytes = (n: number, size: number): Uint8Array => {
  const out = new Uint8Array(size);
  const view = new DataView(new ArrayBuffer(Math.ceil(size / 4) * 4));
  for (let w = 0; w < view.byteLength / 4; w++) view.setUint32(4 * w, w === 0 ? n : (n ^ 0x5a5a5a5a) >>> 0, true);
  out.set(new Uint8Array(view.buffer, 0, size));
  return out;
};
const keyWordsOf = (key: Uint8Array): number[] => {
  const padded = new Uint8Array(Math.ceil(key.length / 4) * 4);
  padded.set(key);
  return [...new Uint32Array(padded.buffer)];
};
/** The value written for key n: n and ~n, so a value read for key n that holds another key's is plain to see. */
const valueFor = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n, ~n >>> 0]).buffer);

/** Two keys whose probes start at the same slot (the map's seed is 0). */
function collidingKeys(map: HashMap, keySize: number): [number, number] {
  const mask = map.layout.capacity - 1;
  const home = (n: number): number => hashWords(0, keySize, Uint32Array.from(keyWordsOf(keyBytes(n, keySize))), Math.ceil(keySize / 4)) & mask;
  const first = new Map<number, number>();
  for (let n = 1; ; n++) {
    const other = first.get(home(n));
    if (other !== undefined) return [other, n];
    first.set(home(n), n);
  }
}

/** The value (as u32 words) at a value address, or null for 0. */
const valueAt = (arena: Arena, address: number): number[] | null => (address === 0 ? null : [arena.u32[address >> 2]!, arena.u32[(address >> 2) + 1]!]);

/**
 * `u32` seen through a proxy that runs `between` right after the read of word `index` (once): the
 * reader goes on with the value it read, the writer's steps happen before its next read.
 */
function pauseAfterRead(u32: Uint32Array, index: number, between: () => void): Uint32Array {
  let done = false;
  return new Proxy(u32, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (!done && prop === String(index)) {
        done = true;
        between();
      }
      return value;
    },
  });
}

/**
 * A reader of slots holding keys of several words, step by step in the order the JIT's inlined
 * lookup reads them (@bpfhive/jit compiler/hash-lookup.ts, kernel/hash-table.ts hashLookup): a
 * slot's link, then its key words; it yields after each link read. Returns the element or 0.
 */
function* slotReader(arena: Arena, map: HashMap, words: number[]): Generator<void, number> {
  const { capacity, slotsCell, seed } = map.layout;
  const stride = 1 + words.length;
  const mask = capacity - 1;
  const u32 = arena.u32;
  const slotsW = Atomics.load(u32, slotsCell >> 2) >> 2;
  for (let i = hashWords(seed, map.spec.key_size, Uint32Array.from(words), words.length) & mask; ; i = (i + 1) & mask) {
    const s = slotsW + i * stride;
    const link = Atomics.load(u32, s);
    yield;
    if (link === 0) return 0;
    if (link !== 1 && words.every((w, k) => u32[s + 1 + k] === w)) return link;
  }
}

describe('map hash - lock-free readers racing deletes and inserts', () => {
  it('map hash - a reader holding a deleted key\'s slot never pairs its element with a key inserted meanwhile (the word probe)', () => {
    const { map, arena } = hashMap(4);
    const [k1, k2] = collidingKeys(map, 4);
    map.update(keyBytes(k1, 4), valueFor(k1), 0);
    const { capacity, slotsCell, seed } = map.layout;
    const slotsW = arena.u32[slotsCell >> 2]! >> 2;
    const home = hashWord(seed | 0, 4, k2) & (capacity - 1);
    // The reader looks k2 up; k1 sits in k2's home slot. Between its link read and its key read,
    // the writer deletes k1 and inserts k2.
    const u32 = pauseAfterRead(arena.u32, slotsW + 2 * home, () => {
      map.delete(keyBytes(k1, 4));
      map.update(keyBytes(k2, 4), valueFor(k2), 0);
    });
    const element = probeWord(u32, slotsW, capacity - 1, home, k2);
    // Either k2's element (the reader went on to the slot k2 went into) or a miss; never k1's.
    expect(valueAt(arena, element === 0 ? 0 : element + map.layout.valueOffset)).toEqual([k2, ~k2 >>> 0]);
    expect([...map.lookup(keyBytes(k2, 4))]).toEqual([...valueFor(k2)]);
  });

  it.each([
    ['8-byte keys', 8],
    ['16-byte keys', 16],
    ['6-byte keys', 6],
  ])('map hash - %s: a reader between a slot\'s link and its key words never returns a deleted key\'s element for the key inserted meanwhile', (_, keySize) => {
    const { map, arena } = hashMap(keySize);
    const [k1, k2] = collidingKeys(map, keySize);
    map.update(keyBytes(k1, keySize), valueFor(k1), 0);
    const reader = slotReader(arena, map, keyWordsOf(keyBytes(k2, keySize)));
    reader.next(); // read the link of k2's home slot: k1's element
    map.delete(keyBytes(k1, keySize));
    map.update(keyBytes(k2, keySize), valueFor(k2), 0);
    let step = reader.next();
    while (step.done !== true) step = reader.next();
    expect(valueAt(arena, step.value === 0 ? 0 : step.value + map.layout.valueOffset)).toEqual([k2, ~k2 >>> 0]);
  });

  it('map hash - a tombstone is reused by an insert once a grace period has passed', () => {
    const { map, arena } = hashMap(4);
    const [k1, k2] = collidingKeys(map, 4);
    const { capacity, slotsCell } = map.layout;
    const slotsW = arena.u32[slotsCell >> 2]! >> 2;
    const home = hashWord(0, 4, k1) & (capacity - 1);
    const linkOf = (slot: number): number => arena.u32[slotsW + 2 * slot]!;
    const keyOf = (slot: number): number => arena.u32[slotsW + 2 * slot + 1]!;
    map.update(keyBytes(k1, 4), valueFor(k1), 0);
    expect(keyOf(home)).toBe(k1);
    map.delete(keyBytes(k1, 4));
    expect(linkOf(home)).toBe(1);
    // Before a grace period k2 goes past the tombstone; after one, k1 again takes the old slot.
    map.update(keyBytes(k2, 4), valueFor(k2), 0);
    expect([linkOf(home), keyOf(home)]).toEqual([1, k1]);
    expect(keyOf((home + 1) & (capacity - 1))).toBe(k2);
    arena.quiescent();
    map.update(keyBytes(k1, 4), valueFor(k1), 0);
    expect(keyOf(home)).toBe(k1);
    expect(linkOf(home)).toBeGreaterThan(1);
    expect([...map.lookup(keyBytes(k1, 4))]).toEqual([...valueFor(k1)]);
    expect([...map.lookup(keyBytes(k2, 4))]).toEqual([...valueFor(k2)]);
  });

  it('map hash - churn without a grace period rebuilds the slots instead of filling them with waiting tombstones', () => {
    // Without preallocation a delete frees its place at once (its memory waits in the arena).
    const { map, arena } = hashMap(4, 4, MapFlag.NO_PREALLOC);
    const before = arena.allocated;
    for (let n = 0; n < 1000; n++) {
      map.update(keyBytes(n, 4), valueFor(n), 0);
      if (n >= 3) map.delete(keyBytes(n - 3, 4));
    }
    expect(map.count).toBe(3);
    for (let n = 997; n < 1000; n++) expect([...map.lookup(keyBytes(n, 4))]).toEqual([...valueFor(n)]);
    // The old slot arrays and the deleted elements went back to the arena: the three keys' elements are left.
    arena.quiescent();
    expect(arena.allocated).toBe(before + 3 * (4 + VALUE_SIZE + 4));
  });
});
