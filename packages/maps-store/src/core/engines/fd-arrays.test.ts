import { MapFlag, MapType, ProgType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { createMap } from '../create.js';
import type { CgroupInfo, MapPorts, ObjectTable, PerfEventInfo, PerfEventPort, ProgramInfo } from '../ports.js';
import { mapRecords } from '../records.js';
import type { MapSpec } from '../spec.js';
import type { CgroupArrayMap } from './cgroup-array.js';
import type { PerfEventArrayMap } from './perf-event-array.js';
import type { ProgArrayMap } from './prog-array.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const code = (c: string) => expect.objectContaining({ code: c });
const spec = (map_type: number, max_entries = 4, value_size = 4, map_flags = 0): MapSpec => ({ map_type, key_size: 4, value_size, max_entries, map_flags });

/** An ObjectTable over a Map, counting the references the map holds. */
class Table<T> implements ObjectTable<T> {
  readonly refs = new Map<number, number>();
  constructor(readonly objects: Map<number, T>) {}
  acquire(id: number): T | undefined {
    const object = this.objects.get(id);
    if (object) this.refs.set(id, (this.refs.get(id) ?? 0) + 1);
    return object;
  }
  release(id: number): void {
    this.refs.set(id, (this.refs.get(id) ?? 0) - 1);
  }
  held(id: number): number {
    return this.refs.get(id) ?? 0;
  }
}

const prog = (prog_id: number, prog_type: number = ProgType.XDP, jited = true): ProgramInfo => ({ prog_id, prog_type, expected_attach_type: 0, jited, xdp_has_frags: false });
const programs = () => new Table(new Map([[10, prog(10)], [11, prog(11)], [12, prog(12, ProgType.SCHED_CLS)], [13, prog(13, ProgType.XDP, false)]]));
const make = <T>(s: MapSpec, ports: MapPorts = {}, arena = new Arena({ initialPages: 4 })): T => createMap(s, arena, 4, ports) as T;

describe('map fd arrays - create checks', () => {
  it.each([
    ['prog_array with an 8-byte value', spec(MapType.PROG_ARRAY, 4, 8), 'EINVAL', /value_size must be 4/],
    ['prog_array with no entries', spec(MapType.PROG_ARRAY, 0), 'EINVAL', /max_entries must be at least 1/],
    ['prog_array with BPF_F_RDONLY_PROG', spec(MapType.PROG_ARRAY, 4, 4, MapFlag.RDONLY_PROG), 'EINVAL', /RDONLY_PROG/],
    ['prog_array with BPF_F_MMAPABLE (arrays only)', spec(MapType.PROG_ARRAY, 4, 4, MapFlag.MMAPABLE), 'EINVAL', /map_flags 0x400/],
    ['prog_array with BPF_F_PRESERVE_ELEMS (perf event arrays only)', spec(MapType.PROG_ARRAY, 4, 4, MapFlag.PRESERVE_ELEMS), 'EINVAL', /map_flags 0x800/],
    ['perf_event_array with max_entries 0 (libbpf sizes it, not the kernel)', spec(MapType.PERF_EVENT_ARRAY, 0), 'EINVAL', /max_entries must be at least 1/],
    ['cgroup_array with a 2-byte value', spec(MapType.CGROUP_ARRAY, 4, 2), 'EINVAL', /value_size must be 4/],
    ['an array with BPF_F_PRESERVE_ELEMS', spec(MapType.ARRAY, 4, 4, MapFlag.PRESERVE_ELEMS), 'EINVAL', /map_flags 0x800/],
    ['a percpu_array with BPF_F_INNER_MAP', spec(MapType.PERCPU_ARRAY, 4, 4, MapFlag.INNER_MAP), 'EINVAL', /map_flags 0x1000/],
    ['a hash with map_extra', { ...spec(MapType.HASH), map_extra: 3 }, 'EINVAL', /only a bloom filter takes map_extra/],
  ])('map create - %s fails with %s', (_title, s, errno, message) => {
    expect(() => make(s)).toThrow(message);
    expect(() => make(s)).toThrow(code(errno));
  });

  it('map create - a perf_event_array takes BPF_F_PRESERVE_ELEMS', () => {
    expect(make<PerfEventArrayMap>(spec(MapType.PERF_EVENT_ARRAY, 2, 4, MapFlag.PRESERVE_ELEMS)).spec.max_entries).toBe(2);
  });
});

describe('map prog_array', () => {
  it('map prog_array - update takes a program; lookup gives its id back; the kernel reads the id from the slot', () => {
    const table = programs();
    const m = make<ProgArrayMap>(spec(MapType.PROG_ARRAY), { programs: table });
    m.update(u32(2), u32(10), UpdateFlag.ANY);
    expect(readU32(m.lookup(u32(2)))).toBe(10);
    expect(m.programAt(2)).toBe(10);
    expect(m.arena.u32[(m.base >> 2) + 2]).toBe(10);
    expect(m.programAt(0)).toBe(0);
    expect(m.programAt(99)).toBe(0);
    expect(table.held(10)).toBe(1);
  });

  it('map prog_array - replacing and deleting release the old program', () => {
    const table = programs();
    const m = make<ProgArrayMap>(spec(MapType.PROG_ARRAY), { programs: table });
    m.update(u32(0), u32(10), UpdateFlag.ANY);
    m.update(u32(0), u32(11), UpdateFlag.ANY);
    expect(table.held(10)).toBe(0);
    m.delete(u32(0));
    expect(table.held(11)).toBe(0);
    expect(() => m.lookup(u32(0))).toThrow(code('ENOENT'));
  });

  it.each([
    ['BPF_NOEXIST fails with EINVAL (fd arrays take BPF_ANY only)', (m: ProgArrayMap) => m.update(u32(0), u32(10), UpdateFlag.NOEXIST), 'EINVAL'],
    ['BPF_EXIST fails with EINVAL', (m: ProgArrayMap) => m.update(u32(0), u32(10), UpdateFlag.EXIST), 'EINVAL'],
    ['an index past the end fails with E2BIG', (m: ProgArrayMap) => m.update(u32(4), u32(10), UpdateFlag.ANY), 'E2BIG'],
    ['an unknown program fails with EBADF', (m: ProgArrayMap) => m.update(u32(0), u32(99), UpdateFlag.ANY), 'EBADF'],
    ['a program of another type than the owner fails with EINVAL', (m: ProgArrayMap) => m.update(u32(1), u32(12), UpdateFlag.ANY), 'EINVAL'],
    ['a program not jited like the owner fails with EINVAL', (m: ProgArrayMap) => m.update(u32(1), u32(13), UpdateFlag.ANY), 'EINVAL'],
    ['delete past the end fails with E2BIG', (m: ProgArrayMap) => m.delete(u32(4)), 'E2BIG'],
    ['delete of an empty slot fails with ENOENT', (m: ProgArrayMap) => m.delete(u32(3)), 'ENOENT'],
    ['lookup of an empty slot fails with ENOENT', (m: ProgArrayMap) => m.lookup(u32(3)), 'ENOENT'],
  ])('map prog_array - %s', (_title, run, errno) => {
    const m = make<ProgArrayMap>(spec(MapType.PROG_ARRAY), { programs: programs() });
    m.update(u32(0), u32(10), UpdateFlag.ANY);
    expect(() => run(m)).toThrow(code(errno));
  });

  it('map prog_array - a rejected program is not held', () => {
    const table = programs();
    const m = make<ProgArrayMap>(spec(MapType.PROG_ARRAY), { programs: table });
    m.update(u32(0), u32(10), UpdateFlag.ANY);
    expect(() => m.update(u32(1), u32(12), UpdateFlag.ANY)).toThrow(code('EINVAL'));
    expect(table.held(12)).toBe(0);
  });

  it('map prog_array - the owner is the first program the map meets; the kernel asks it for programs that use the map', () => {
    const m = make<ProgArrayMap>(spec(MapType.PROG_ARRAY), { programs: programs() });
    expect(m.ownership.compatible(prog(1, ProgType.SCHED_CLS))).toBe(true);
    expect(m.ownership.owner).toMatchObject({ prog_type: ProgType.SCHED_CLS, jited: true });
    expect(() => m.update(u32(0), u32(10), UpdateFlag.ANY)).toThrow(code('EINVAL'));
    m.update(u32(0), u32(12), UpdateFlag.ANY);
  });

  it('map prog_array - get_next_key walks every index, empty or not', () => {
    const m = make<ProgArrayMap>(spec(MapType.PROG_ARRAY, 2), { programs: programs() });
    expect(m.getNextKey(undefined)).toEqual(u32(0));
    expect(m.getNextKey(u32(0))).toEqual(u32(1));
    expect(() => m.getNextKey(u32(1))).toThrow(code('ENOENT'));
  });

  it('map prog_array - detached (no programs port, the maps-store) keeps ids as given', () => {
    const m = make<ProgArrayMap>(spec(MapType.PROG_ARRAY));
    m.update(u32(1), u32(4242), UpdateFlag.ANY);
    expect(readU32(m.lookup(u32(1)))).toBe(4242);
    expect(mapRecords(m)).toEqual([[u32(1), u32(4242)]]);
  });

  it('map prog_array - the generic lookup gives the kernel the slot (the prog id), never an update or delete', () => {
    const m = make<ProgArrayMap>(spec(MapType.PROG_ARRAY));
    m.update(u32(3), u32(77), UpdateFlag.ANY);
    const key = m.arena.alloc(8);
    m.arena.view.setUint32(key, 3, true);
    expect(m.arena.loadU32(m.lookupAddress(key, 0))).toBe(77);
    m.arena.view.setUint32(key, 4, true);
    expect(m.lookupAddress(key, 0)).toBe(0);
    expect(m.updateAt(key, key, 0, 0)).toBe(-22);
    expect(m.deleteAt(key)).toBe(-22);
  });
});

describe('map perf_event_array', () => {
  const event = (cpu: number, bpf_output = true, readable = true): PerfEventInfo => ({ cpu, bpf_output, readable });
  const port = () => {
    const published: [number, number, number[]][] = [];
    const table = new Table(new Map([[100, event(0)], [101, event(1)], [102, event(0, false)], [103, event(0, true, false)]]));
    const events: PerfEventPort = Object.assign(table, {
      output: (id: number, cpu: number, sample: Uint8Array) => {
        published.push([id, cpu, [...sample]]);
        return 0;
      },
    });
    return { events, published, table };
  };

  it('map perf_event_array - output from a CPU goes to the event in its slot (BPF_F_CURRENT_CPU)', () => {
    const { events, published } = port();
    const m = make<PerfEventArrayMap>(spec(MapType.PERF_EVENT_ARRAY, 2), { perfEvents: events });
    m.update(u32(0), u32(100), UpdateFlag.ANY);
    m.update(u32(1), u32(101), UpdateFlag.ANY);
    expect(m.output(1, 0xffffffff, new Uint8Array([7, 8]))).toBe(0);
    expect(m.output(0, 0, new Uint8Array([9]))).toBe(0);
    expect(published).toEqual([
      [101, 1, [7, 8]],
      [100, 0, [9]],
    ]);
  });

  it.each([
    ['flags above BPF_F_INDEX_MASK', 0, 2 ** 32, -22],
    ['an index past the end', 0, 5, -7],
    ['an empty slot', 1, 0xffffffff, -2],
    ['an event bound to another CPU', 1, 0, -95],
  ])('map perf_event_array - output with %s fails', (_title, cpu, flags, errno) => {
    const { events } = port();
    const m = make<PerfEventArrayMap>(spec(MapType.PERF_EVENT_ARRAY, 2), { perfEvents: events });
    m.update(u32(0), u32(100), UpdateFlag.ANY);
    expect(m.output(cpu, flags, new Uint8Array(1))).toBe(errno);
  });

  it('map perf_event_array - output to an event that is not a BPF output event fails with EINVAL', () => {
    const { events } = port();
    const m = make<PerfEventArrayMap>(spec(MapType.PERF_EVENT_ARRAY, 2), { perfEvents: events });
    m.update(u32(0), u32(102), UpdateFlag.ANY);
    expect(m.output(0, 0, new Uint8Array(1))).toBe(-22);
  });

  it.each([
    ['an unknown event fails with EBADF', 99, 'EBADF'],
    ['an event that cannot be read locally fails with EOPNOTSUPP', 103, 'EOPNOTSUPP'],
  ])('map perf_event_array - update with %s', (_title, id, errno) => {
    const { events, table } = port();
    const m = make<PerfEventArrayMap>(spec(MapType.PERF_EVENT_ARRAY, 2), { perfEvents: events });
    expect(() => m.update(u32(0), u32(id), UpdateFlag.ANY)).toThrow(code(errno));
    expect(table.held(id)).toBe(0);
  });

  it('map perf_event_array - user space cannot look an event up (ENOTSUPP); snapshots still list the slots', () => {
    const { events } = port();
    const m = make<PerfEventArrayMap>(spec(MapType.PERF_EVENT_ARRAY, 2), { perfEvents: events });
    m.update(u32(1), u32(101), UpdateFlag.ANY);
    expect(() => m.lookup(u32(1))).toThrow(code('ENOTSUPP'));
    expect(mapRecords(m)).toEqual([[u32(1), u32(101)]]);
  });
});

describe('map cgroup_array', () => {
  const cgroups = () => new Table(new Map<number, CgroupInfo>([[7, { cgroup_id: 7 }]]));

  it('map cgroup_array - the helpers get the cgroup id, -E2BIG past the end, -EAGAIN for an empty slot', () => {
    const m = make<CgroupArrayMap>(spec(MapType.CGROUP_ARRAY, 2), { cgroups: cgroups() });
    m.update(u32(0), u32(7), UpdateFlag.ANY);
    expect(m.cgroupAt(0)).toBe(7);
    expect(m.cgroupAt(1)).toBe(-11);
    expect(m.cgroupAt(2)).toBe(-7);
  });

  it('map cgroup_array - an unknown cgroup fails with EBADF; lookup is ENOTSUPP', () => {
    const m = make<CgroupArrayMap>(spec(MapType.CGROUP_ARRAY, 2), { cgroups: cgroups() });
    expect(() => m.update(u32(0), u32(8), UpdateFlag.ANY)).toThrow(code('EBADF'));
    expect(() => m.lookup(u32(0))).toThrow(code('ENOTSUPP'));
  });

  it('map cgroup_array - clear releases every cgroup', () => {
    const table = cgroups();
    const m = make<CgroupArrayMap>(spec(MapType.CGROUP_ARRAY, 2), { cgroups: table });
    m.update(u32(0), u32(7), UpdateFlag.ANY);
    m.update(u32(1), u32(7), UpdateFlag.ANY);
    expect(table.held(7)).toBe(2);
    m.clear();
    expect(table.held(7)).toBe(0);
    expect(m.cgroupAt(0)).toBe(-11);
  });
});
