import { AttachType, MapFlag, MapType, ProgType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { createMap } from './create.js';
import { type CreateRequest, MapDirectory } from './directory.js';
import { freeMap } from './free-map.js';
import type { RingBufMap } from './engines/ringbuf.js';
import type { StackTraceMap } from './engines/stack-trace.js';
import type { BpfMap } from './map.js';
import type { MapPorts, ObjectTable } from './ports.js';
import type { MapSpec } from './spec.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const CPUS = 2;

/** An LPM key for a 4-byte (IPv4) trie: prefixlen, then the address in network order. */
const lpmKey = (prefixlen: number, a: number, b = 0, c = 0, d = 0): Uint8Array => {
  const key = new Uint8Array(8);
  new DataView(key.buffer).setUint32(0, prefixlen, true);
  key.set([a, b, c, d], 4);
  return key;
};

/** Fills map `id` with `n` elements through the syscall side (or the program side for the types user space cannot write). */
type Fill = (d: MapDirectory, id: number, arena: Arena) => void;

const byUpdate =
  (key: (i: number) => Uint8Array, value: (i: number, size: number) => Uint8Array, n = 10): Fill =>
  (d, id) => {
    const size = d.hosted(id).map.syscallValueSize;
    for (let i = 0; i < n; i++) d.update(id, key(i), value(i, size), UpdateFlag.ANY);
  };
const zeros = (_i: number, size: number): Uint8Array => new Uint8Array(size).fill(7);
/** A value naming object i + 1 (a prog, cgroup, event, socket id or an ifindex / qsize), zero-padded to the value size. */
const ids = (i: number, size: number): Uint8Array => {
  const value = new Uint8Array(size);
  value.set(u32(i + 1));
  return value;
};
const pushes = (n: number): Fill => byUpdate(() => new Uint8Array(0), (i, size) => new Uint8Array(size).fill(i + 1), n);

/** Every map type with a filling; maps of maps get an inner map made (and closed) beside them. */
const CASES: readonly (readonly [string, CreateRequest, Fill])[] = [
  ['hash', { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 64 }, byUpdate(u32, zeros)],
  ['hash without prealloc', { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 64, map_flags: MapFlag.NO_PREALLOC }, byUpdate(u32, zeros)],
  ['array', { map_type: 'array', key_size: 4, value_size: 8, max_entries: 64 }, byUpdate(u32, zeros)],
  ['percpu_hash', { map_type: 'percpu_hash', key_size: 4, value_size: 8, max_entries: 64 }, byUpdate(u32, zeros)],
  ['percpu_array', { map_type: 'percpu_array', key_size: 4, value_size: 8, max_entries: 64 }, byUpdate(u32, zeros)],
  // More updates than max_entries: the LRU evicts, and retired elements wait for a grace period (more storage is allocated then).
  ['lru_hash', { map_type: 'lru_hash', key_size: 4, value_size: 8, max_entries: 16 }, byUpdate(u32, zeros, 40)],
  ['lru_hash without a common LRU', { map_type: 'lru_hash', key_size: 4, value_size: 8, max_entries: 16, map_flags: MapFlag.NO_COMMON_LRU }, byUpdate(u32, zeros, 40)],
  ['lru_percpu_hash', { map_type: 'lru_percpu_hash', key_size: 4, value_size: 8, max_entries: 16 }, byUpdate(u32, zeros, 40)],
  [
    'lpm_trie',
    { map_type: 'lpm_trie', key_size: 8, value_size: 8, max_entries: 64, map_flags: MapFlag.NO_PREALLOC },
    // Prefixes that fork (intermediate nodes) and nest.
    byUpdate((i) => lpmKey(8 + (i % 3) * 8, 10, i, i * 3, 1), zeros, 12),
  ],
  ['queue', { map_type: 'queue', key_size: 0, value_size: 8, max_entries: 16 }, pushes(10)],
  ['stack', { map_type: 'stack', key_size: 0, value_size: 8, max_entries: 16 }, pushes(10)],
  ['bloom_filter', { map_type: 'bloom_filter', key_size: 0, value_size: 8, max_entries: 64 }, pushes(10)],
  [
    'ringbuf',
    { map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 },
    (d, id) => {
      const ring = d.hosted(id).map as RingBufMap;
      for (let i = 0; i < 5; i++) expect(ring.submit(ring.reserve(64, 0), 0)).toBe(0);
    },
  ],
  ['perf_event_array', { map_type: 'perf_event_array', key_size: 4, value_size: 4, max_entries: 8 }, byUpdate(u32, ids, 8)],
  [
    'stack_trace',
    { map_type: 'stack_trace', key_size: 4, value_size: 64, max_entries: 16 },
    (d, id) => {
      const traces = d.hosted(id).map as StackTraceMap;
      for (let i = 1; i <= 5; i++) expect(traces.getStackId(new BigUint64Array([BigInt(i), 0x1000n + BigInt(i)]), 0)).toBeGreaterThanOrEqual(0);
    },
  ],
  ['devmap', { map_type: 'devmap', key_size: 4, value_size: 8, max_entries: 8 }, byUpdate(u32, ids, 8)],
  ['devmap_hash', { map_type: 'devmap_hash', key_size: 4, value_size: 8, max_entries: 8 }, byUpdate(u32, ids, 8)],
  ['cpumap', { map_type: 'cpumap', key_size: 4, value_size: 4, max_entries: CPUS }, byUpdate(u32, ids, CPUS)],
  ['xskmap', { map_type: 'xskmap', key_size: 4, value_size: 4, max_entries: 8 }, byUpdate(u32, ids, 8)],
  ['prog_array', { map_type: 'prog_array', key_size: 4, value_size: 4, max_entries: 8 }, byUpdate(u32, ids, 8)],
  ['cgroup_array', { map_type: 'cgroup_array', key_size: 4, value_size: 4, max_entries: 8 }, byUpdate(u32, ids, 8)],
  ['array_of_maps', { map_type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 4 }, () => undefined],
  ['hash_of_maps', { map_type: 'hash_of_maps', key_size: 4, value_size: 4, max_entries: 4 }, () => undefined],
];

const INNER = { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 8 } as const;
const isMapOfMaps = (r: CreateRequest): boolean => r.map_type === 'array_of_maps' || r.map_type === 'hash_of_maps';

/** One create, fill, close of `request` (with two inner maps in its slots for a map of maps, closed by their creator first). */
function cycle(d: MapDirectory, arena: Arena, request: CreateRequest, fill: Fill): void {
  if (!isMapOfMaps(request)) {
    const id = d.create(request);
    fill(d, id, arena);
    d.close(id);
    return;
  }
  const inner = [d.create(INNER), d.create(INNER)];
  for (const i of inner) d.update(i, u32(1), new Uint8Array(8), UpdateFlag.ANY);
  const outer = d.create({ ...request, inner_map_id: inner[0]! });
  inner.forEach((i, slot) => d.update(outer, u32(slot), u32(i), UpdateFlag.ANY));
  for (const i of inner) d.close(i);
  d.close(outer);
  for (const i of inner) expect(d.has(i)).toBe(false);
}

describe('map directory - a freed map gives all its arena memory back', () => {
  it.each(CASES)('map close - %s: create, fill, close brings the arena back to its baseline, with no listener left', (_name, request, fill) => {
    const arena = new Arena({ initialPages: 8 });
    const d = new MapDirectory(arena, { cpus: CPUS });
    const baseline = arena.allocated;
    const listeners = arena.listeners;
    cycle(d, arena, request, fill);
    expect(arena.allocated).toBe(baseline);
    expect(arena.listeners).toEqual(listeners);
  });

  it.each(CASES)('map close - %s: a hundred cycles reuse the same memory (its high-water mark never moves)', (_name, request, fill) => {
    const arena = new Arena({ initialPages: 8 });
    const d = new MapDirectory(arena, { cpus: CPUS });
    cycle(d, arena, request, fill);
    const highWater = arena.highWater;
    const pages = arena.memory.buffer.byteLength;
    for (let i = 0; i < 100; i++) cycle(d, arena, request, fill);
    expect(arena.highWater).toBe(highWater);
    expect(arena.memory.buffer.byteLength).toBe(pages);
  });
});

/** An ObjectTable that knows every id and counts the references the map holds. */
function countingTable<T>(info: (id: number) => T): ObjectTable<T> & { held: Map<number, number> } {
  const held = new Map<number, number>();
  return {
    held,
    acquire(id) {
      held.set(id, (held.get(id) ?? 0) + 1);
      return info(id);
    },
    release(id) {
      const n = (held.get(id) ?? 0) - 1;
      if (n < 0) throw new Error(`release of ${id} without a reference`);
      if (n === 0) held.delete(id);
      else held.set(id, n);
    },
  };
}

describe('map dispose - a freed map lets go of the kernel objects it holds', () => {
  const program = (id: number, expected_attach_type = 0) => ({ prog_id: id, prog_type: ProgType.XDP, expected_attach_type, jited: true, xdp_has_frags: false });
  const spec = (map_type: number, max_entries = 4, value_size = 4): MapSpec => ({ map_type, key_size: 4, value_size, max_entries, map_flags: 0 });

  it.each([
    ['prog_array releases its programs', MapType.PROG_ARRAY, 'programs', 4],
    ['cgroup_array releases its cgroups', MapType.CGROUP_ARRAY, 'cgroups', 4],
    ['xskmap releases its sockets', MapType.XSKMAP, 'xskSockets', 4],
    ['devmap releases its devices', MapType.DEVMAP, 'netDevices', 4],
    ['devmap_hash releases its devices', MapType.DEVMAP_HASH, 'netDevices', 4],
  ] as const)('map dispose - %s', (_title, mapType, port, valueSize) => {
    const arena = new Arena({ initialPages: 8 });
    const table = countingTable((id) => ({ ...program(id), cgroup_id: id, ifindex: id, xdp: true, bound: true, address: 0 }));
    const ports: MapPorts = { [port]: table };
    const baseline = arena.allocated;
    const map = createMap(spec(mapType, 4, valueSize), arena, CPUS, ports);
    for (let i = 0; i < 4; i++) map.update(u32(i), u32(100 + i), UpdateFlag.ANY);
    expect(table.held.size).toBe(4);
    disposeMap(map);
    expect(table.held.size).toBe(0);
    expect(arena.allocated).toBe(baseline);
  });

  it.each([
    ['cpumap', MapType.CPUMAP, AttachType.XDP_CPUMAP, 'programs'],
    ['devmap', MapType.DEVMAP, AttachType.XDP_DEVMAP, 'netDevices'],
  ] as const)('map dispose - %s releases the XDP programs of its entries', (_title, mapType, attachType, other) => {
    const arena = new Arena({ initialPages: 8 });
    const programs = countingTable((id) => program(id, attachType));
    const ports: MapPorts = other === 'programs' ? { programs } : { programs, netDevices: countingTable((ifindex) => ({ ifindex })) };
    const map = createMap(spec(mapType, CPUS, 8), arena, CPUS, ports);
    // {qsize or ifindex, prog id}
    for (let i = 0; i < CPUS; i++) map.update(u32(i), new Uint8Array(new Uint32Array([64, 50 + i]).buffer), UpdateFlag.ANY);
    expect(programs.held.size).toBe(CPUS);
    disposeMap(map);
    expect(programs.held.size).toBe(0);
  });

  it('map dispose - perf_event_array releases its events', () => {
    const arena = new Arena({ initialPages: 8 });
    const events = countingTable(() => ({ bpf_output: true, readable: true, cpu: 0 }));
    const map = createMap(spec(MapType.PERF_EVENT_ARRAY), arena, CPUS, { perfEvents: { acquire: events.acquire, release: events.release, output: () => 0 } });
    for (let i = 0; i < 4; i++) map.update(u32(i), u32(7 + i), UpdateFlag.ANY);
    expect(events.held.size).toBe(4);
    disposeMap(map);
    expect(events.held.size).toBe(0);
  });

  it.each([
    ['array_of_maps', MapType.ARRAY_OF_MAPS],
    ['hash_of_maps', MapType.HASH_OF_MAPS],
  ] as const)('map dispose - %s releases its inner maps', (_title, mapType) => {
    const arena = new Arena({ initialPages: 8 });
    const innerSpec: MapSpec = { map_type: MapType.HASH, key_size: 4, value_size: 8, max_entries: 4, map_flags: 0 };
    const inners = [createMap(innerSpec, arena), createMap(innerSpec, arena)];
    const maps = countingTable((id) => inners[id - 1]!);
    const map = createMap({ ...spec(mapType), inner_map: innerSpec }, arena, 1, { maps });
    inners.forEach((_m, i) => map.update(u32(i), u32(i + 1), UpdateFlag.ANY));
    expect([...maps.held.keys()].sort()).toEqual([1, 2]);
    disposeMap(map);
    expect(maps.held.size).toBe(0);
  });
});

/** What the directory and the kernel do with a map nothing holds: dispose, then a grace period. */
function disposeMap(map: BpfMap): void {
  freeMap(map);
  map.arena.quiescent();
}
