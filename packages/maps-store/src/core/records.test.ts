import { MapType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { createMap } from './create.js';
import type { BloomFilterMap } from './engines/bloom-filter.js';
import { decodeImage, encodeImage } from './image.js';
import type { BpfMap } from './map.js';
import { mapAtPointer, mapPointer, releaseMapPointer } from './map-pointer.js';
import { clearMap, loadRecords, mapRecords } from './records.js';
import type { MapSpec } from './spec.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const NONE = new Uint8Array(0);
const spec = (map_type: number, key_size: number, value_size: number, max_entries: number, extra: Partial<MapSpec> = {}): MapSpec => ({
  map_type,
  key_size,
  value_size,
  max_entries,
  map_flags: 0,
  ...extra,
});
const arena = () => new Arena({ initialPages: 8 });

/** A map of `s` filled by `fill`, its records loaded into a new map of the same spec. */
function roundTrip(s: MapSpec, fill: (m: BpfMap) => void): { from: BpfMap; to: BpfMap } {
  const from = createMap(s, arena());
  fill(from);
  const to = createMap(s, arena());
  expect(loadRecords(to, decodeImage(encodeImage(mapRecords(from))))).toEqual([]);
  return { from, to };
}

describe('map records - what snapshots and leases carry', () => {
  it('map records - a hash: every element, back with the same values', () => {
    const { to } = roundTrip(spec(MapType.HASH, 4, 4, 16), (m) => [1, 2, 3].forEach((k) => m.update(u32(k), u32(k * 10), UpdateFlag.ANY)));
    expect([1, 2, 3].map((k) => to.lookup(u32(k)))).toEqual([u32(10), u32(20), u32(30)]);
  });

  it('map records - a queue: its values oldest first, popped back in the same order', () => {
    const { to } = roundTrip(spec(MapType.QUEUE, 0, 4, 3), (m) => {
      [1, 2, 3].forEach((v) => m.update(NONE, u32(v), UpdateFlag.ANY));
      m.lookupAndDelete!(NONE, 0);
      m.update(NONE, u32(4), UpdateFlag.ANY);
    });
    expect([0, 1, 2].map(() => to.lookupAndDelete!(NONE, 0))).toEqual([u32(2), u32(3), u32(4)]);
  });

  it('map records - a bloom filter: its bits and seed, so it answers the same', () => {
    const { from, to } = roundTrip(spec(MapType.BLOOM_FILTER, 0, 4, 64), (m) => m.update(NONE, u32(77), UpdateFlag.ANY));
    expect((to as BloomFilterMap).seed).toBe((from as BloomFilterMap).seed);
    expect(to.lookup(NONE, u32(77))).toEqual(u32(77));
  });

  it('map records - a prog_array without a kernel: the ids as given', () => {
    const { to } = roundTrip(spec(MapType.PROG_ARRAY, 4, 4, 4), (m) => m.update(u32(3), u32(55), UpdateFlag.ANY));
    expect(to.lookup(u32(3))).toEqual(u32(55));
  });

  it('map records - a record the map rejects is skipped and reported, the others load', () => {
    const m = createMap(spec(MapType.ARRAY, 4, 4, 2), arena());
    const rejected = loadRecords(m, [
      [u32(0), u32(1)],
      [u32(9), u32(2)],
    ]);
    expect(rejected).toEqual([{ key: u32(9), error: expect.objectContaining({ code: 'E2BIG' }) }]);
    expect(m.lookup(u32(0))).toEqual(u32(1));
  });

  it.each([
    ['truncated', new Uint8Array([1, 0, 0, 0, 4, 0, 0, 0, 1]), /record 0 is truncated/],
    ['with bytes after the last record', new Uint8Array([0, 0, 0, 0, 9]), /1 bytes after the last of 0 records/],
    ['too short for a count', new Uint8Array([1]), /shorter than its record count/],
  ])('map image - an image %s is EINVAL', (_title, image, message) => {
    expect(() => decodeImage(image)).toThrow(message);
    expect(() => decodeImage(image)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('map records - clearing a map for a lease coming home', () => {
  it.each([
    ['a hash', spec(MapType.HASH, 4, 4, 8), (m: BpfMap) => m.update(u32(1), u32(1), UpdateFlag.ANY)],
    ['an array', spec(MapType.ARRAY, 4, 4, 2), (m: BpfMap) => m.update(u32(1), u32(9), UpdateFlag.ANY)],
    ['a queue', spec(MapType.QUEUE, 0, 4, 2), (m: BpfMap) => m.update(NONE, u32(1), UpdateFlag.ANY)],
    ['a devmap', spec(MapType.DEVMAP, 4, 4, 2), (m: BpfMap) => m.update(u32(1), u32(3), UpdateFlag.ANY)],
    ['an lpm trie', spec(MapType.LPM_TRIE, 8, 4, 4, { map_flags: 1 }), (m: BpfMap) => m.update(new Uint8Array([24, 0, 0, 0, 10, 0, 0, 0]), u32(1), UpdateFlag.ANY)],
  ])('map records - clearMap empties %s', (_title, s, fill) => {
    const m = createMap(s, arena());
    fill(m);
    clearMap(m);
    const empty = createMap(s, arena());
    expect(mapRecords(m)).toEqual(mapRecords(empty));
  });
});

describe('map pointers', () => {
  it('map pointers - every created map has a header with its spec; the kernel finds the map from it', () => {
    const a = arena();
    const m = createMap(spec(MapType.HASH, 8, 16, 32), a);
    const pointer = mapPointer(m);
    expect(mapPointer(m)).toBe(pointer);
    expect([...a.u32.subarray(pointer >> 2, (pointer >> 2) + 5)]).toEqual([MapType.HASH, 8, 16, 32, 0]);
    expect(mapAtPointer(a, pointer)).toBe(m);
    expect(mapAtPointer(a, pointer + 8)).toBeUndefined();
    releaseMapPointer(m);
    expect(mapAtPointer(a, pointer)).toBeUndefined();
  });
});
