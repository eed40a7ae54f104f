import { Worker } from 'node:worker_threads';
import { MapType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { INT_ID, KPTR_ID, LOCKED_ID, PLAIN_ID, TEST_BTF_ID, TIMED_ID, VALUE_ID, testBtfPort } from '../testing/map-btf.js';
import { Arena } from './arena.js';
import { type CreateRequest, MapDirectory } from './directory.js';
import * as commands from './map-commands.js';
import { valueAddressOf } from './value-fields.js';

/**
 * Special fields of a map value from user space (include/linux/bpf.h copy_map_value,
 * check_and_init_map_value, copy_map_value_locked; syscall.c, arraymap.c, hashtab.c): lookups
 * zero them, updates never write them (the timer and kptrs are freed, the lock word is left
 * alone; BPF_F_LOCK keeps them all and copies under the lock), BPF_F_LOCK needs a spin lock.
 *
 * struct val (40 bytes): x at 0, bpf_spin_lock at 4, bpf_timer at 8..24, a kptr at 24, y at 32, z at 36.
 */
const F_LOCK = UpdateFlag.F_LOCK;
const key = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const val = (x: number, lock = 0, timer = 0n, kptr = 0n, y = 0, z = 0): Uint8Array => {
  const b = new Uint8Array(40);
  const v = new DataView(b.buffer);
  v.setUint32(0, x, true);
  v.setUint32(4, lock, true);
  v.setBigUint64(8, timer, true);
  v.setBigUint64(16, timer, true);
  v.setBigUint64(24, kptr, true);
  v.setUint32(32, y, true);
  v.setUint32(36, z, true);
  return b;
};

function setup(request: Partial<CreateRequest> = {}) {
  const arena = new Arena({ initialPages: 8 });
  const d = new MapDirectory(arena, { cpus: 2, btf: testBtfPort() });
  const id = d.create({ map_type: MapType.ARRAY, key_size: 4, value_size: 40, max_entries: 4, btf_id: TEST_BTF_ID, btf_key_type_id: INT_ID, btf_value_type_id: VALUE_ID, ...request });
  const h = d.hosted(id);
  /** What a program sees in the arena: the element's bytes, or writes them (as helpers would). */
  const raw = (k: number): Uint8Array => {
    const at = valueAddressOf(h.map, key(k));
    return arena.bytes.slice(at, at + h.map.spec.value_size);
  };
  const poke = (k: number, bytes: Uint8Array): void => void arena.bytes.set(bytes, valueAddressOf(h.map, key(k)));
  return { arena, d, h, raw, poke };
}

describe('value fields from user space', () => {
  it.each([['array', MapType.ARRAY], ['hash', MapType.HASH]])('value fields (%s) - lookup zeroes the lock, the timer and the kptr in its copy, not in the map', (_, map_type) => {
    const { h, raw, poke } = setup({ map_type });
    commands.updateElem(h, key(1), val(5), UpdateFlag.ANY);
    poke(1, val(5, 1, 0x7e1e7e1e00000003n, 0xffff888000001000n, 6, 7));
    expect(commands.lookupElem(h, key(1))).toEqual(val(5, 0, 0n, 0n, 6, 7));
    expect(raw(1)).toEqual(val(5, 1, 0x7e1e7e1e00000003n, 0xffff888000001000n, 6, 7));
  });

  it('value fields (array) - update writes the plain bytes, leaves the lock word alone and frees the timer and the kptr', () => {
    const { h, raw, poke } = setup();
    poke(2, val(1, 0, 0x7e1e7e1e00000003n, 0xffff888000001000n));
    commands.updateElem(h, key(2), val(9, 0xffffffff, 0x1111n, 0x2222n, 10, 11), UpdateFlag.ANY);
    expect(raw(2)).toEqual(val(9, 0, 0n, 0n, 10, 11));
  });

  it('value fields (hash) - update of an existing key replaces the value: timer and kptr freed, the lock word not written; a new key starts with every field zeroed', () => {
    const { h, raw, poke } = setup({ map_type: MapType.HASH });
    commands.updateElem(h, key(3), val(1, 0xffffffff, 0x1111n, 0x2222n), UpdateFlag.NOEXIST);
    expect(raw(3)).toEqual(val(1));
    poke(3, val(1, 0, 0x7e1e7e1e00000003n, 0xffff888000001000n));
    commands.updateElem(h, key(3), val(2, 0xffffffff, 0x1111n, 0x2222n, 3), UpdateFlag.EXIST);
    expect(raw(3)).toEqual(val(2, 0, 0n, 0n, 3));
  });

  it.each([['array', MapType.ARRAY], ['hash', MapType.HASH]])('value fields (%s) - update with BPF_F_LOCK copies under the lock and keeps the timer and the kptr', (_, map_type) => {
    const { h, raw, poke } = setup({ map_type });
    commands.updateElem(h, key(1), val(1), UpdateFlag.ANY);
    poke(1, val(1, 0, 0x7e1e7e1e00000003n, 0xffff888000001000n));
    commands.updateElem(h, key(1), val(8, 0xffffffff, 0x1111n, 0x2222n, 9), F_LOCK | UpdateFlag.EXIST);
    expect(raw(1)).toEqual(val(8, 0, 0x7e1e7e1e00000003n, 0xffff888000001000n, 9));
    expect(commands.lookupElem(h, key(1), undefined, F_LOCK)).toEqual(val(8, 0, 0n, 0n, 9));
  });

  it('value fields (hash) - BPF_F_LOCK keeps the update flags\' rules: a new key is inserted zeroed, NOEXIST on an existing one is EEXIST, EXIST on a missing one ENOENT', () => {
    const { h, raw } = setup({ map_type: MapType.HASH });
    commands.updateElem(h, key(4), val(4, 1, 0x1111n, 0x2222n), F_LOCK);
    expect(raw(4)).toEqual(val(4));
    expect(() => commands.updateElem(h, key(4), val(5), F_LOCK | UpdateFlag.NOEXIST)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => commands.updateElem(h, key(6), val(5), F_LOCK | UpdateFlag.EXIST)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => commands.lookupElem(h, key(6), undefined, F_LOCK)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(raw(4)).toEqual(val(4));
  });

  it.each([
    ['no BTF', {}],
    ['a timer but no spin lock', { value_size: 24, btf_id: TEST_BTF_ID, btf_value_type_id: TIMED_ID }],
    ['BTF without special fields', { value_size: 16, btf_id: TEST_BTF_ID, btf_value_type_id: PLAIN_ID }],
  ])('value fields - BPF_F_LOCK on a map whose value has %s is EINVAL for every command', (_, over) => {
    const d = new MapDirectory(new Arena({ initialPages: 8 }), { btf: testBtfPort() });
    const id = d.create({ map_type: MapType.HASH, key_size: 4, value_size: 16, max_entries: 2, btf_key_type_id: 0, ...over });
    const h = d.hosted(id);
    const value = new Uint8Array(h.map.spec.value_size);
    commands.updateElem(h, key(1), value, UpdateFlag.ANY);
    const einval = expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(/BPF_F_LOCK needs a value with a struct bpf_spin_lock/) });
    expect(() => commands.lookupElem(h, key(1), undefined, F_LOCK)).toThrow(einval);
    expect(() => commands.updateElem(h, key(1), value, F_LOCK)).toThrow(einval);
    expect(() => commands.lookupAndDeleteElem(h, key(1), F_LOCK)).toThrow(einval);
    expect(() => commands.lookupBatch(h, undefined, 4, F_LOCK)).toThrow(einval);
    expect(() => commands.updateBatch(h, [key(2)], [value], F_LOCK)).toThrow(einval);
    expect(commands.lookupElem(h, key(1))).toEqual(value);
    expect(() => commands.lookupElem(h, key(2))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('value fields - lookup flags other than BPF_F_LOCK are EINVAL, with or without a spin lock', () => {
    const { h } = setup();
    expect(() => commands.lookupElem(h, key(0), undefined, 1)).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(/only BPF_F_LOCK is defined/) }));
    expect(() => commands.lookupBatch(h, undefined, 1, 8)).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(/only BPF_F_LOCK is defined/) }));
  });

  it('value fields - batches: lookup_batch zeroes the fields of every value (under the lock with BPF_F_LOCK), update_batch treats each element as update_elem', () => {
    const { h, raw, poke } = setup();
    commands.updateBatch(h, [key(0), key(1)], [val(10), val(11)], UpdateFlag.ANY);
    poke(1, val(11, 0, 0x7e1e7e1e00000003n, 0xffff888000001000n));
    commands.updateBatch(h, [key(1)], [val(21, 0xffffffff, 5n, 6n)], F_LOCK);
    expect(raw(1)).toEqual(val(21, 0, 0x7e1e7e1e00000003n, 0xffff888000001000n));
    for (const flags of [0, F_LOCK]) {
      const page = commands.lookupBatch(h, undefined, 2, flags);
      expect(page.values).toEqual([val(10), val(21)]);
    }
  });

  it('value fields (hash) - lookup_and_delete with BPF_F_LOCK reads under the lock, zeroes the fields and deletes', () => {
    const { h, poke } = setup({ map_type: MapType.HASH });
    commands.updateElem(h, key(7), val(70), UpdateFlag.ANY);
    poke(7, val(70, 0, 3n, 4n, 71));
    expect(commands.lookupAndDeleteElem(h, key(7), F_LOCK)).toEqual(val(70, 0, 0n, 0n, 71));
    expect(() => commands.lookupElem(h, key(7))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('value fields (percpu_array) - the kptr of every CPU\'s value is zeroed in a lookup and freed by an update', () => {
    const { h, arena } = setup({ map_type: MapType.PERCPU_ARRAY, value_size: 16, btf_value_type_id: KPTR_ID });
    // Two CPUs, 16 bytes each: n at 0, the kptr at 8.
    const both = (n0: number, p0: bigint, n1: number, p1: bigint): Uint8Array => {
      const b = new Uint8Array(32);
      const v = new DataView(b.buffer);
      v.setUint32(0, n0, true);
      v.setBigUint64(8, p0, true);
      v.setUint32(16, n1, true);
      v.setBigUint64(24, p1, true);
      return b;
    };
    const at = valueAddressOf(h.map, key(0));
    arena.bytes.set(both(1, 0xaaaan, 2, 0xbbbbn), at);
    expect(commands.lookupElem(h, key(0))).toEqual(both(1, 0n, 2, 0n));
    commands.updateElem(h, key(0), both(3, 0xccccn, 4, 0xddddn), UpdateFlag.ANY);
    expect(arena.bytes.slice(at, at + 32)).toEqual(both(3, 0n, 4, 0n));
  });

  it('value fields - a map with a spin lock but nothing else: lookup with BPF_F_LOCK of an 8-byte value', () => {
    const { h } = setup({ value_size: 8, btf_value_type_id: LOCKED_ID });
    commands.updateElem(h, key(0), new Uint8Array([1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff]), F_LOCK);
    expect(commands.lookupElem(h, key(0), undefined, F_LOCK)).toEqual(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0]));
  });
});

/**
 * A program on another CPU (a worker thread on the same shared memory, as the kernel-sim's CPUs
 * are) holds the value's lock, writes x = 777 inside its critical section and releases it. The
 * worker waits until the main thread is about to call, then a while, so the call finds the lock
 * held; with the lock honoured the outcome does not depend on that while.
 */
const HOLDER = `
const { workerData } = require('node:worker_threads');
const words = new Int32Array(workerData.buffer);
const { lock, flag, x } = workerData;
while (Atomics.compareExchange(words, lock, 0, 1) !== 0) {}
Atomics.store(words, flag, 1);
Atomics.notify(words, flag);
Atomics.wait(words, flag, 1);
Atomics.wait(words, flag, 2, 100);
words[x] = 777;
Atomics.store(words, lock, 0);
`;

async function withLockHeldElsewhere(arena: Arena, value: number, call: () => void): Promise<void> {
  const flag = arena.alloc(8);
  const words = new Int32Array(arena.memory.buffer);
  const worker = new Worker(HOLDER, { eval: true, workerData: { buffer: arena.memory.buffer, lock: (value + 4) >> 2, flag: flag >> 2, x: value >> 2 } });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  while (Atomics.load(words, flag >> 2) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  Atomics.store(words, flag >> 2, 2);
  Atomics.notify(words, flag >> 2);
  call();
  await exited;
}

describe('value fields - BPF_F_LOCK against a program holding the lock', () => {
  it('value fields - lookup with BPF_F_LOCK waits for the holder: it sees what the program wrote in its critical section', async () => {
    const { h, arena } = setup();
    commands.updateElem(h, key(1), val(5), UpdateFlag.ANY);
    let seen: Uint8Array | undefined;
    await withLockHeldElsewhere(arena, valueAddressOf(h.map, key(1)), () => (seen = commands.lookupElem(h, key(1), undefined, F_LOCK)));
    expect(seen).toEqual(val(777));
  });

  it('value fields - update with BPF_F_LOCK waits for the holder: its value lands after the program\'s write, and the lock is free after', async () => {
    const { h, arena, raw } = setup({ map_type: MapType.HASH });
    commands.updateElem(h, key(1), val(5), UpdateFlag.ANY);
    await withLockHeldElsewhere(arena, valueAddressOf(h.map, key(1)), () => commands.updateElem(h, key(1), val(6, 0, 0n, 0n, 1), F_LOCK));
    expect(raw(1)).toEqual(val(6, 0, 0n, 0n, 1));
  });
});
