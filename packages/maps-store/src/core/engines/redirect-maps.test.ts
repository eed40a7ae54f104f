import { AttachType, MapFlag, MapType, ProgType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { createMap } from '../create.js';
import type { MapPorts, NetDeviceInfo, ObjectTable, ProgramInfo, XskSocketInfo } from '../ports.js';
import { mapRecords } from '../records.js';
import type { MapSpec } from '../spec.js';
import type { CpuMap } from './cpumap.js';
import type { DevMap, DevMapHash } from './devmap.js';
import type { XskMap } from './xskmap.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const pair = (a: number, b: number): Uint8Array => new Uint8Array(new Uint32Array([a, b]).buffer);
const code = (c: string) => expect.objectContaining({ code: c });
const spec = (map_type: number, value_size: number, max_entries = 4, map_flags = 0): MapSpec => ({ map_type, key_size: 4, value_size, max_entries, map_flags });

/** An ObjectTable over a Map, counting references. */
function table<T>(entries: [number, T][]) {
  const objects = new Map(entries);
  const refs = new Map<number, number>();
  const t: ObjectTable<T> & { held(id: number): number } = {
    acquire: (id) => {
      const o = objects.get(id);
      if (o) refs.set(id, (refs.get(id) ?? 0) + 1);
      return o;
    },
    release: (id) => void refs.set(id, (refs.get(id) ?? 0) - 1),
    held: (id) => refs.get(id) ?? 0,
  };
  return t;
}

const xdp = (prog_id: number, expected_attach_type: number, prog_type: number = ProgType.XDP): ProgramInfo => ({ prog_id, prog_type, expected_attach_type, jited: true, xdp_has_frags: false });
function ports() {
  const netDevices = table<NetDeviceInfo>([
    [1, { ifindex: 1 }],
    [2, { ifindex: 2 }],
  ]);
  const programs = table<ProgramInfo>([
    [20, xdp(20, AttachType.XDP_DEVMAP)],
    [21, xdp(21, AttachType.XDP_CPUMAP)],
    [22, xdp(22, AttachType.XDP_DEVMAP, ProgType.SCHED_CLS)],
  ]);
  const xskSockets = table<XskSocketInfo>([
    [30, { xdp: true, bound: true, address: 0x20000 }],
    [31, { xdp: true, bound: false, address: 0x20100 }],
    [32, { xdp: false, bound: true, address: 0 }],
    [33, { xdp: true, bound: true, address: 0x20200 }],
  ]);
  return { netDevices, programs, xskSockets };
}
const make = <T>(s: MapSpec, p: MapPorts = ports()): T => createMap(s, new Arena({ initialPages: 4 }), 2, p) as T;

describe('map devmap / devmap_hash / cpumap / xskmap - create checks', () => {
  it.each([
    ['devmap with a 12-byte value', spec(MapType.DEVMAP, 12), 'EINVAL', /value_size must be 4 .* or 8/],
    ['devmap with BPF_F_NO_PREALLOC', spec(MapType.DEVMAP, 4, 4, MapFlag.NO_PREALLOC), 'EINVAL', /map_flags 0x1 /],
    ['devmap_hash with an 8-byte key', { ...spec(MapType.DEVMAP_HASH, 4), key_size: 8 }, 'EINVAL', /key_size must be 4/],
    ['cpumap with BPF_F_RDONLY (only BPF_F_NUMA_NODE)', spec(MapType.CPUMAP, 4, 4, MapFlag.RDONLY), 'EINVAL', /map_flags 0x8 /],
    ['cpumap larger than NR_CPUS', spec(MapType.CPUMAP, 4, 8193), 'E2BIG', /NR_CPUS/],
    ['xskmap with an 8-byte value', spec(MapType.XSKMAP, 8), 'EINVAL', /value_size must be 4/],
    ['xskmap with no entries', spec(MapType.XSKMAP, 4, 0), 'EINVAL', /max_entries/],
  ])('map create - %s fails with %s', (_title, s, errno, message) => {
    expect(() => make(s)).toThrow(message);
    expect(() => make(s)).toThrow(code(errno));
  });
});

describe('map devmap', () => {
  it('map devmap - a device (and an XDP_DEVMAP program) per slot; lookup gives ifindex and program id; the program side gets bpf_devmap_val', () => {
    const m = make<DevMap>(spec(MapType.DEVMAP, 8));
    m.update(u32(1), pair(2, 20), UpdateFlag.ANY);
    expect(m.lookup(u32(1))).toEqual(pair(2, 20));
    const key = m.arena.alloc(8);
    m.arena.view.setUint32(key, 1, true);
    const val = m.lookupAddress(key, 0);
    expect([m.arena.view.getUint32(val, true), m.arena.view.getUint32(val + 4, true)]).toEqual([2, 20]);
    m.arena.view.setUint32(key, 0, true);
    expect(m.lookupAddress(key, 0)).toBe(0);
  });

  it.each([
    ['BPF_NOEXIST fails with EEXIST (every slot exists)', (m: DevMap) => m.update(u32(0), pair(1, 0), UpdateFlag.NOEXIST), 'EEXIST'],
    ['flags above BPF_EXIST fail with EINVAL', (m: DevMap) => m.update(u32(0), pair(1, 0), 4), 'EINVAL'],
    ['an index past the end fails with E2BIG', (m: DevMap) => m.update(u32(4), pair(1, 0), UpdateFlag.ANY), 'E2BIG'],
    ['an unknown device fails with EINVAL', (m: DevMap) => m.update(u32(0), pair(9, 0), UpdateFlag.ANY), 'EINVAL'],
    ['a program without a device fails with EINVAL', (m: DevMap) => m.update(u32(0), pair(0, 20), UpdateFlag.ANY), 'EINVAL'],
    ['a program loaded for the cpumap fails with EINVAL', (m: DevMap) => m.update(u32(0), pair(1, 21), UpdateFlag.ANY), 'EINVAL'],
    ['a program that is not XDP fails with EINVAL', (m: DevMap) => m.update(u32(0), pair(1, 22), UpdateFlag.ANY), 'EINVAL'],
    ['delete past the end fails with EINVAL', (m: DevMap) => m.delete(u32(4)), 'EINVAL'],
    ['lookup of an empty slot fails with ENOENT', (m: DevMap) => m.lookup(u32(3)), 'ENOENT'],
  ])('map devmap - %s', (_title, run, errno) => {
    expect(() => run(make<DevMap>(spec(MapType.DEVMAP, 8)))).toThrow(code(errno));
  });

  it('map devmap - ifindex 0 or delete empties a slot (an empty slot deletes fine) and releases the device and program', () => {
    const p = ports();
    const m = make<DevMap>(spec(MapType.DEVMAP, 8), p);
    m.update(u32(0), pair(1, 20), UpdateFlag.ANY);
    m.update(u32(0), pair(0, 0), UpdateFlag.EXIST);
    expect(p.netDevices.held(1)).toBe(0);
    expect(p.programs.held(20)).toBe(0);
    m.delete(u32(0));
    m.update(u32(1), pair(2, 0), UpdateFlag.ANY);
    m.delete(u32(1));
    expect(p.netDevices.held(2)).toBe(0);
    expect(() => m.lookup(u32(1))).toThrow(code('ENOENT'));
  });

  it('map devmap - a 4-byte value is the ifindex alone; records list the filled slots', () => {
    const m = make<DevMap>(spec(MapType.DEVMAP, 4));
    m.update(u32(2), u32(1), UpdateFlag.ANY);
    expect(m.lookup(u32(2))).toEqual(u32(1));
    expect(mapRecords(m)).toEqual([[u32(2), u32(1)]]);
  });
});

describe('map devmap_hash', () => {
  it('map devmap_hash - any u32 key; BPF_EXIST on a missing key inserts, as the kernel does', () => {
    const m = make<DevMapHash>(spec(MapType.DEVMAP_HASH, 8, 2));
    m.update(u32(1000), pair(1, 0), UpdateFlag.EXIST);
    expect(m.lookup(u32(1000))).toEqual(pair(1, 0));
    expect(() => m.update(u32(1000), pair(2, 0), UpdateFlag.NOEXIST)).toThrow(code('EEXIST'));
  });

  it('map devmap_hash - full at max_entries (E2BIG); a delete frees a place at once', () => {
    const p = ports();
    const m = make<DevMapHash>(spec(MapType.DEVMAP_HASH, 8, 2), p);
    m.update(u32(1), pair(1, 0), UpdateFlag.ANY);
    m.update(u32(2), pair(2, 0), UpdateFlag.ANY);
    expect(() => m.update(u32(3), pair(1, 0), UpdateFlag.ANY)).toThrow(code('E2BIG'));
    expect(p.netDevices.held(1)).toBe(1);
    m.delete(u32(1));
    m.update(u32(3), pair(1, 20), UpdateFlag.ANY);
    expect(m.lookup(u32(3))).toEqual(pair(1, 20));
  });

  it.each([
    ['ifindex 0 fails with EINVAL', (m: DevMapHash) => m.update(u32(1), pair(0, 0), UpdateFlag.ANY), 'EINVAL'],
    ['a missing key delete fails with ENOENT', (m: DevMapHash) => m.delete(u32(5)), 'ENOENT'],
    ['an unknown device fails with EINVAL', (m: DevMapHash) => m.update(u32(1), pair(7, 0), UpdateFlag.ANY), 'EINVAL'],
  ])('map devmap_hash - %s', (_title, run, errno) => {
    expect(() => run(make<DevMapHash>(spec(MapType.DEVMAP_HASH, 8)))).toThrow(code(errno));
  });
});

describe('map cpumap', () => {
  it('map cpumap - qsize and program per CPU; qsize 0 empties the slot', () => {
    const p = ports();
    const m = make<CpuMap>(spec(MapType.CPUMAP, 8, 4), p);
    m.update(u32(1), pair(192, 21), UpdateFlag.ANY);
    expect(m.lookup(u32(1))).toEqual(pair(192, 21));
    expect(p.programs.held(21)).toBe(1);
    m.update(u32(1), pair(0, 0), UpdateFlag.ANY);
    expect(() => m.lookup(u32(1))).toThrow(code('ENOENT'));
    expect(p.programs.held(21)).toBe(0);
  });

  it.each([
    ['BPF_NOEXIST fails with EEXIST', (m: CpuMap) => m.update(u32(0), pair(64, 0), UpdateFlag.NOEXIST), 'EEXIST'],
    ['a key past max_entries fails with E2BIG', (m: CpuMap) => m.update(u32(4), pair(64, 0), UpdateFlag.ANY), 'E2BIG'],
    ['a qsize above 16384 fails with EOVERFLOW', (m: CpuMap) => m.update(u32(0), pair(16385, 0), UpdateFlag.ANY), 'EOVERFLOW'],
    ['a CPU the kernel does not have fails with ENODEV', (m: CpuMap) => m.update(u32(3), pair(64, 0), UpdateFlag.ANY), 'ENODEV'],
    ['a devmap program fails with ENOMEM, as the kernel reports a failed entry', (m: CpuMap) => m.update(u32(0), pair(64, 20), UpdateFlag.ANY), 'ENOMEM'],
    ['delete past max_entries fails with EINVAL', (m: CpuMap) => m.delete(u32(4)), 'EINVAL'],
  ])('map cpumap - %s', (_title, run, errno) => {
    expect(() => run(make<CpuMap>(spec(MapType.CPUMAP, 8, 4)))).toThrow(code(errno));
  });
});

describe('map xskmap', () => {
  it('map xskmap - the program side gets the socket address; user space cannot look up (EOPNOTSUPP)', () => {
    const m = make<XskMap>(spec(MapType.XSKMAP, 4));
    m.update(u32(1), u32(30), UpdateFlag.ANY);
    const key = m.arena.alloc(8);
    m.arena.view.setUint32(key, 1, true);
    expect(m.lookupAddress(key, 0)).toBe(0x20000);
    expect(() => m.lookup(u32(1))).toThrow(code('EOPNOTSUPP'));
    expect(mapRecords(m)).toEqual([[u32(1), u32(30)]]);
  });

  it.each([
    ['an unknown socket fails with EBADF', (m: XskMap) => m.update(u32(0), u32(99), UpdateFlag.ANY), 'EBADF'],
    ['a socket that is not bound fails with EOPNOTSUPP', (m: XskMap) => m.update(u32(0), u32(31), UpdateFlag.ANY), 'EOPNOTSUPP'],
    ['a socket that is not AF_XDP fails with EOPNOTSUPP', (m: XskMap) => m.update(u32(0), u32(32), UpdateFlag.ANY), 'EOPNOTSUPP'],
    ['BPF_NOEXIST on a filled slot fails with EEXIST', (m: XskMap) => m.update(u32(1), u32(33), UpdateFlag.NOEXIST), 'EEXIST'],
    ['BPF_EXIST on an empty slot fails with ENOENT', (m: XskMap) => m.update(u32(0), u32(33), UpdateFlag.EXIST), 'ENOENT'],
    ['an index past the end fails with E2BIG', (m: XskMap) => m.update(u32(4), u32(30), UpdateFlag.ANY), 'E2BIG'],
    ['delete past the end fails with EINVAL', (m: XskMap) => m.delete(u32(4)), 'EINVAL'],
  ])('map xskmap - %s', (_title, run, errno) => {
    const m = make<XskMap>(spec(MapType.XSKMAP, 4));
    m.update(u32(1), u32(30), UpdateFlag.ANY);
    expect(() => run(m)).toThrow(code(errno));
  });

  it('map xskmap - the same socket again is a no-op, even with BPF_NOEXIST; refused sockets are not held', () => {
    const p = ports();
    const m = make<XskMap>(spec(MapType.XSKMAP, 4), p);
    m.update(u32(1), u32(30), UpdateFlag.ANY);
    m.update(u32(1), u32(30), UpdateFlag.NOEXIST);
    expect(p.xskSockets.held(30)).toBe(1);
    expect(() => m.update(u32(1), u32(33), UpdateFlag.NOEXIST)).toThrow(code('EEXIST'));
    expect(p.xskSockets.held(33)).toBe(0);
    m.delete(u32(1));
    m.delete(u32(1));
    expect(p.xskSockets.held(30)).toBe(0);
  });
});
