import { MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import type { BpfMap } from '../map.js';
import { type MapSpec, checkCommonSpec } from '../spec.js';
import { type QueueStackMap, isPushPopMap, queueStackMapType } from './queue-stack.js';

const spec = (map_type: number, key_size: number, value_size: number, max_entries: number, map_flags = 0): MapSpec => ({
  map_type,
  key_size,
  value_size,
  max_entries,
  map_flags,
});
/** createMap's path for this type: the common checks, the type's, then the engine. */
const create = (s: MapSpec, arena = new Arena({ initialPages: 4 })): QueueStackMap => {
  checkCommonSpec(s, queueStackMapType.allowedFlags);
  queueStackMapType.check(s);
  return queueStackMapType.create(s, arena, 1) as QueueStackMap;
};
const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const NONE = new Uint8Array(0);
const code = (c: string) => expect.objectContaining({ code: c });

/** A map of max_entries 3 holding 1, 2, 3 (pushed in that order). */
const full = (type: number): QueueStackMap => {
  const m = create(spec(type, 0, 4, 3));
  for (const v of [1, 2, 3]) m.update(NONE, u32(v), UpdateFlag.ANY);
  return m;
};
/** Pops everything: the values in pop order. */
const drain = (m: BpfMap & { lookupAndDelete(key: Uint8Array): Uint8Array }): number[] => {
  const out: number[] = [];
  for (;;) {
    try {
      out.push(readU32(m.lookupAndDelete(NONE)));
    } catch (e) {
      expect(e).toMatchObject({ code: 'ENOENT' });
      return out;
    }
  }
};

describe('map queue/stack - create checks', () => {
  it.each([
    ['queue with a 4-byte key', spec(MapType.QUEUE, 4, 8, 4), 'EINVAL', /key_size must be 0/],
    ['stack with a 4-byte key', spec(MapType.STACK, 4, 8, 4), 'EINVAL', /key_size must be 0/],
    ['queue with a zero value size', spec(MapType.QUEUE, 0, 0, 4), 'EINVAL', /value_size must be at least 1/],
    ['stack with no entries', spec(MapType.STACK, 0, 8, 0), 'EINVAL', /max_entries must be at least 1/],
    ['queue with a value larger than KMALLOC_MAX_SIZE', spec(MapType.QUEUE, 0, (1 << 22) + 1, 1), 'E2BIG', /larger than 4194304/],
    ['queue with BPF_F_NO_PREALLOC', spec(MapType.QUEUE, 0, 8, 4, MapFlag.NO_PREALLOC), 'EINVAL', /map_flags 0x1 has bits/],
    ['stack with BPF_F_ZERO_SEED', spec(MapType.STACK, 0, 8, 4, MapFlag.ZERO_SEED), 'EINVAL', /map_flags 0x40 has bits/],
    ['queue with BPF_F_MMAPABLE', spec(MapType.QUEUE, 0, 8, 4, MapFlag.MMAPABLE), 'EINVAL', /map_flags 0x400 has bits/],
    ['queue both read-only and write-only for programs', spec(MapType.QUEUE, 0, 8, 4, MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG), 'EINVAL', /exclude each other/],
  ])('map queue/stack - create: %s fails with %s', (_title, s, errno, message) => {
    expect(() => create(s)).toThrow(message);
    expect(() => create(s)).toThrow(code(errno));
  });

  it.each([
    ['BPF_F_NUMA_NODE', MapFlag.NUMA_NODE],
    ['BPF_F_RDONLY', MapFlag.RDONLY],
    ['BPF_F_WRONLY_PROG', MapFlag.WRONLY_PROG],
  ])('map queue/stack - create: %s is accepted', (_title, flags) => {
    expect(create(spec(MapType.QUEUE, 0, 8, 4, flags)).count).toBe(0);
    expect(create(spec(MapType.STACK, 0, 8, 4, flags)).count).toBe(0);
  });

  it('map queue/stack - create: a value of exactly KMALLOC_MAX_SIZE is accepted', () => {
    expect(() => queueStackMapType.check(spec(MapType.QUEUE, 0, 1 << 22, 1))).not.toThrow();
  });

  it('map queue/stack - the storage is max_entries + 1 packed slots, one always free', () => {
    const arena = new Arena({ initialPages: 4 });
    const before = arena.allocated;
    const m = create(spec(MapType.QUEUE, 0, 12, 5), arena);
    expect(arena.allocated - before).toBe(Math.ceil((6 * 12) / 8) * 8);
    for (let i = 0; i < 5; i++) m.update(NONE, new Uint8Array(12).fill(i), UpdateFlag.ANY);
    expect(m.count).toBe(5);
    expect(isPushPopMap(m)).toBe(true);
  });
});

describe('map queue/stack - order', () => {
  it('map queue - pops in FIFO order', () => {
    expect(drain(full(MapType.QUEUE))).toEqual([1, 2, 3]);
  });

  it('map stack - pops in LIFO order', () => {
    expect(drain(full(MapType.STACK))).toEqual([3, 2, 1]);
  });

  it.each([
    ['queue', MapType.QUEUE, 1],
    ['stack', MapType.STACK, 3],
  ])('map %s - lookup peeks without removing', (_name, type, first) => {
    const m = full(type);
    expect(readU32(m.lookup(NONE))).toBe(first);
    expect(readU32(m.lookup(NONE))).toBe(first);
    expect(m.count).toBe(3);
  });

  it.each([
    ['queue', MapType.QUEUE],
    ['stack', MapType.STACK],
  ])('map %s - order holds while the ring wraps many times', (_name, type) => {
    const m = create(spec(type, 0, 4, 3));
    const model: number[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i % 3 !== 2 && model.length < 3) {
        m.update(NONE, u32(i), UpdateFlag.ANY);
        model.push(i);
      } else if (model.length > 0) {
        const expected = type === MapType.QUEUE ? model.shift() : model.pop();
        expect(readU32(m.lookupAndDelete(NONE))).toBe(expected);
      }
      expect(m.count).toBe(model.length);
    }
  });
});

describe('map queue/stack - push flags and a full map', () => {
  it.each([
    ['queue', MapType.QUEUE],
    ['stack', MapType.STACK],
  ])('map %s - push to a full %s fails with E2BIG unless BPF_EXIST', (_name, type) => {
    const m = full(type);
    expect(() => m.update(NONE, u32(4), UpdateFlag.ANY)).toThrow(code('E2BIG'));
    expect(m.count).toBe(3);
  });

  it('map queue - BPF_EXIST on a full queue drops the oldest value (the next to pop)', () => {
    const m = full(MapType.QUEUE);
    m.update(NONE, u32(4), UpdateFlag.EXIST);
    expect(drain(m)).toEqual([2, 3, 4]);
  });

  it('map stack - BPF_EXIST on a full stack drops the oldest value (the bottom), not the top', () => {
    const m = full(MapType.STACK);
    m.update(NONE, u32(4), UpdateFlag.EXIST);
    m.update(NONE, u32(5), UpdateFlag.EXIST);
    expect(drain(m)).toEqual([5, 4, 3]);
  });

  it.each([
    ['queue', MapType.QUEUE],
    ['stack', MapType.STACK],
  ])('map %s - BPF_EXIST on a map with room just pushes', (_name, type) => {
    const m = create(spec(type, 0, 4, 3));
    m.update(NONE, u32(7), UpdateFlag.EXIST);
    expect(drain(m)).toEqual([7]);
  });

  it.each([
    ['BPF_NOEXIST', UpdateFlag.NOEXIST, 'EINVAL'],
    ['BPF_NOEXIST | BPF_EXIST', UpdateFlag.NOEXIST | UpdateFlag.EXIST, 'EINVAL'],
    ['BPF_F_LOCK (no spin lock in the value)', UpdateFlag.F_LOCK, 'EINVAL'],
    ['BPF_F_CPU', 8, 'EINVAL'],
    ['a bit in the upper 32', 2 ** 32, 'EINVAL'],
    ['a negative number', -1, 'EINVAL'],
  ])('map queue/stack - update with %s fails with %s', (_title, flags, errno) => {
    for (const type of [MapType.QUEUE, MapType.STACK]) {
      const m = create(spec(type, 0, 4, 3));
      expect(() => m.update(NONE, u32(1), flags)).toThrow(code(errno));
      expect(m.count).toBe(0);
    }
  });
});

describe('map queue/stack - the syscall side', () => {
  it.each([
    ['lookup of an empty map fails with ENOENT', (m: QueueStackMap) => m.lookup(NONE), 'ENOENT'],
    ['lookup_and_delete of an empty map fails with ENOENT', (m: QueueStackMap) => m.lookupAndDelete(NONE), 'ENOENT'],
    ['lookup_and_delete with BPF_F_LOCK fails with EINVAL', (m: QueueStackMap) => m.lookupAndDelete(NONE, UpdateFlag.F_LOCK), 'EINVAL'],
    ['lookup_and_delete with an unknown flag fails with EINVAL', (m: QueueStackMap) => m.lookupAndDelete(NONE, 1), 'EINVAL'],
    ['delete fails with EINVAL', (m: QueueStackMap) => m.delete(NONE), 'EINVAL'],
    ['get_next_key from the start fails with EINVAL', (m: QueueStackMap) => m.getNextKey(undefined), 'EINVAL'],
    ['get_next_key after a key fails with EINVAL', (m: QueueStackMap) => m.getNextKey(NONE), 'EINVAL'],
    ['a key (the map has none) fails with EINVAL', (m: QueueStackMap) => m.lookup(u32(0)), 'EINVAL'],
    ['a value of the wrong size fails with EINVAL', (m: QueueStackMap) => m.update(NONE, new Uint8Array(3), UpdateFlag.ANY), 'EINVAL'],
  ])('map queue/stack - %s', (_title, run, errno) => {
    for (const type of [MapType.QUEUE, MapType.STACK]) expect(() => run(create(spec(type, 0, 4, 3)))).toThrow(code(errno));
  });

  it('map queue/stack - lookup_and_delete with flags fails with EINVAL even on a non-empty map, which keeps its value', () => {
    const m = full(MapType.QUEUE);
    expect(() => m.lookupAndDelete(NONE, UpdateFlag.F_LOCK)).toThrow(code('EINVAL'));
    expect(m.count).toBe(3);
  });

  it('map queue/stack - lookup and delete return copies the map does not share', () => {
    const m = full(MapType.QUEUE);
    const peeked = m.lookup(NONE);
    peeked.fill(0xff);
    expect(readU32(m.lookup(NONE))).toBe(1);
  });
});

describe('map queue/stack - the program side', () => {
  const setup = (type: number) => {
    const arena = new Arena({ initialPages: 4 });
    const m = create(spec(type, 0, 8, 2), arena);
    const buf = arena.alloc(8);
    const put = (v: bigint) => arena.view.setBigUint64(buf, v, true);
    const get = () => arena.view.getBigUint64(buf, true);
    return { arena, m, buf, put, get };
  };

  it('map queue - push / peek / pop copy through the program buffer and return 0 or -errno', () => {
    const { m, buf, put, get } = setup(MapType.QUEUE);
    put(11n);
    expect(m.push(buf, UpdateFlag.ANY)).toBe(0);
    put(22n);
    expect(m.push(buf, UpdateFlag.ANY)).toBe(0);
    put(33n);
    expect(m.push(buf, UpdateFlag.ANY)).toBe(-7);
    put(0n);
    expect(m.peek(buf)).toBe(0);
    expect(get()).toBe(11n);
    expect(m.pop(buf)).toBe(0);
    expect(get()).toBe(11n);
    expect(m.pop(buf)).toBe(0);
    expect(get()).toBe(22n);
    put(99n);
    expect(m.pop(buf)).toBe(-2);
    expect(get()).toBe(0n);
  });

  it('map stack - pop on an empty stack zeroes the buffer and returns -ENOENT; peek too', () => {
    const { m, buf, put, get } = setup(MapType.STACK);
    put(99n);
    expect(m.peek(buf)).toBe(-2);
    expect(get()).toBe(0n);
    put(99n);
    expect(m.pop(buf)).toBe(-2);
    expect(get()).toBe(0n);
  });

  it.each([
    ['push to a full map without BPF_EXIST returns -E2BIG', (m: QueueStackMap, buf: number) => (m.push(buf, 0), m.push(buf, 0), m.push(buf, 0)), -7],
    ['push to a full map with BPF_EXIST returns 0', (m: QueueStackMap, buf: number) => (m.push(buf, 0), m.push(buf, 0), m.push(buf, UpdateFlag.EXIST)), 0],
    ['push with BPF_NOEXIST returns -EINVAL', (m: QueueStackMap, buf: number) => m.push(buf, UpdateFlag.NOEXIST), -22],
    ['push with flags above BPF_EXIST returns -EINVAL', (m: QueueStackMap, buf: number) => m.push(buf, 4), -22],
    ['bpf_map_lookup_elem gives NULL', (m: QueueStackMap, buf: number) => m.lookupAddress(buf, 0), 0],
    ['bpf_map_update_elem returns -EINVAL', (m: QueueStackMap, buf: number) => m.updateAt(buf, buf, 0, 0), -22],
    ['bpf_map_delete_elem returns -EINVAL', (m: QueueStackMap, buf: number) => m.deleteAt(buf), -22],
  ])('map queue/stack - %s', (_title, run, expected) => {
    for (const type of [MapType.QUEUE, MapType.STACK]) {
      const { m, buf } = setup(type);
      expect(run(m, buf)).toBe(expected);
    }
  });

  it('map stack - values pushed by a program are popped by the syscall side and back', () => {
    const { m, buf, put, get } = setup(MapType.STACK);
    put(5n);
    m.push(buf, 0);
    m.update(NONE, new Uint8Array(new BigUint64Array([6n]).buffer), UpdateFlag.ANY);
    expect(m.pop(buf)).toBe(0);
    expect(get()).toBe(6n);
    expect(new DataView(m.lookupAndDelete(NONE).buffer).getBigUint64(0, true)).toBe(5n);
  });
});
