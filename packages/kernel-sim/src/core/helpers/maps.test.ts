import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU64, u32s, u64s } from '../../testing/harness.js';

const EEXIST = 0xffffffef; // -17 as the u32 retval
const ENOENT = 0xfffffffe;

describe('helpers - map_lookup_elem, map_update_elem, map_delete_elem', () => {
  it('helpers - a program updates, looks up and deletes hash elements that user space sees', async () => {
    const h = kernelHarness();
    const map = h.map({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 8 });
    const { program } = await h.load(`
      *(u32 *)(r10 - 4) = 7
      r1 = 99
      *(u64 *)(r10 - 16) = r1
      ld_pseudo r1, 1, ${map}
      r2 = r10
      r2 += -4
      r3 = r10
      r3 += -16
      r4 = 0
      call ${H.map_update_elem}
      ld_pseudo r1, 1, ${map}
      r2 = r10
      r2 += -4
      call ${H.map_lookup_elem}
      if r0 == 0 goto miss
      r0 = *(u64 *)(r0 + 0)
      exit
      miss:
      r0 = 12345
      exit`);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(99);
    expect(readU64(h.directory.lookup(map, u32s(7)))).toBe(99n);

    const remove = await h.load(`
      *(u32 *)(r10 - 4) = 7
      ld_pseudo r1, 1, ${map}
      r2 = r10
      r2 += -4
      call ${H.map_delete_elem}
      exit`);
    expect(h.kernel.testRun(remove.program.id, {}).retval).toBe(0);
    expect(h.kernel.testRun(remove.program.id, {}).retval).toBe(ENOENT);
    expect(() => h.directory.lookup(map, u32s(7))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('helpers - map_update_elem with BPF_NOEXIST on an existing key returns -EEXIST', async () => {
    const h = kernelHarness();
    const map = h.map({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 8 });
    h.directory.update(map, u32s(1), u64s(5n), 0);
    const { program } = await h.load(`
      *(u32 *)(r10 - 4) = 1
      *(u64 *)(r10 - 16) = 6
      ld_pseudo r1, 1, ${map}
      r2 = r10
      r2 += -4
      r3 = r10
      r3 += -16
      r4 = 1
      call ${H.map_update_elem}
      exit`);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(EEXIST);
    expect(readU64(h.directory.lookup(map, u32s(1)))).toBe(5n);
  });

  it('helpers - per-CPU maps: a program sees the slot of the CPU it runs on, and map_lookup_percpu_elem any other', async () => {
    const h = kernelHarness({ cpus: 2 });
    const map = h.map({ map_type: 'percpu_array', key_size: 4, value_size: 8, max_entries: 1 });
    const bump = await h.load(
      `
      *(u32 *)(r10 - 4) = 0
      ld_pseudo r1, 1, ${map}
      r2 = r10
      r2 += -4
      call ${H.map_lookup_elem}
      if r0 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
      r1 += 1
      *(u64 *)(r0 + 0) = r1
      out:
      r0 = 0
      exit`,
      { prog_type: 'raw_tracepoint' },
    );
    h.kernel.testRun(bump.program.id, { flags: 1, cpu: 1 });
    h.kernel.testRun(bump.program.id, { flags: 1, cpu: 1 });
    h.kernel.testRun(bump.program.id, {});
    const values = h.directory.lookup(map, u32s(0));
    expect([readU64(values, 0), readU64(values, 8)]).toEqual([1n, 2n]);

    const peek = await h.load(`
      *(u32 *)(r10 - 4) = 0
      ld_pseudo r1, 1, ${map}
      r2 = r10
      r2 += -4
      r3 = 1
      call ${H.map_lookup_percpu_elem}
      r0 = *(u64 *)(r0 + 0)
      exit`);
    expect(h.kernel.testRun(peek.program.id, {}).retval).toBe(2);
  });
});

describe('helpers - map_push_elem, map_pop_elem, map_peek_elem', () => {
  it('helpers - a program pushes onto a queue and pops in FIFO order; popping an empty queue is -ENOENT', async () => {
    const h = kernelHarness();
    const queue = h.map({ map_type: 'queue', key_size: 0, value_size: 8, max_entries: 4 });
    const push = await h.load(`
      r6 = r1
      ld_pseudo r1, 1, ${queue}
      r2 = r6
      r3 = 0
      call ${H.map_push_elem}
      exit`);
    for (const v of [10n, 20n]) expect(h.kernel.testRun(push.program.id, { ctx_in: u64s(v) }).retval).toBe(0);
    const pop = await h.load(`
      r6 = r1
      ld_pseudo r1, 1, ${queue}
      r2 = r6
      call ${H.map_peek_elem}
      r7 = *(u64 *)(r6 + 0)
      ld_pseudo r1, 1, ${queue}
      r2 = r6
      call ${H.map_pop_elem}
      if r0 != 0 goto out
      r0 = *(u64 *)(r6 + 0)
      r0 += r7
      out:
      exit`);
    expect(h.kernel.testRun(pop.program.id, { ctx_in: u64s(0n) }).retval).toBe(20);
    expect(h.kernel.testRun(pop.program.id, { ctx_in: u64s(0n) }).retval).toBe(40);
    expect(h.kernel.testRun(pop.program.id, { ctx_in: u64s(0n) }).retval).toBe(ENOENT);
  });

  it('helpers - push on a map that is not a queue, stack or bloom filter is -EINVAL', async () => {
    const h = kernelHarness();
    const hash = h.map({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 4 });
    const { program } = await h.load(`
      r2 = r1
      ld_pseudo r1, 1, ${hash}
      r3 = 0
      call ${H.map_push_elem}
      exit`);
    expect(h.kernel.testRun(program.id, { ctx_in: u64s(1n) }).retval).toBe(0xffffffea);
  });
});

describe('helpers - for_each_map_elem', () => {
  const sumProgram = (map: number, stopAbove: number) => `
      *(u64 *)(r10 - 8) = 0
      ld_pseudo r1, 1, ${map}
      ld_pseudo r2, 4, callback
      r3 = r10
      r3 += -8
      r4 = 0
      call ${H.for_each_map_elem}
      r6 = r0
      r0 = *(u64 *)(r10 - 8)
      r0 <<= 8
      r0 += r6
      exit
      callback:
      r5 = *(u64 *)(r3 + 0)
      r0 = *(u64 *)(r4 + 0)
      r0 += r5
      *(u64 *)(r4 + 0) = r0
      if r0 > ${stopAbove} goto stop
      r0 = 0
      exit
      stop:
      r0 = 1
      exit`;

  it('helpers - calls the callback once per element with its key and value, and returns how many it visited', async () => {
    const h = kernelHarness();
    const map = h.map({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 8 });
    for (const [k, v] of [[1, 10n], [2, 20n], [3, 30n]] as const) h.directory.update(map, u32s(k), u64s(v), 0);
    const { program } = await h.load(sumProgram(map, 1000));
    expect(h.kernel.testRun(program.id, {}).retval).toBe((60 << 8) | 3);
  });

  it('helpers - stops after the callback returns 1, counting that element', async () => {
    const h = kernelHarness();
    const map = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 5 });
    for (let k = 0; k < 5; k++) h.directory.update(map, u32s(k), u64s(1n), 0);
    const { program } = await h.load(sumProgram(map, 1));
    expect(h.kernel.testRun(program.id, {}).retval).toBe((2 << 8) | 2);
  });

  it('helpers - flags other than 0 are -EINVAL', async () => {
    const h = kernelHarness();
    const map = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    const { program } = await h.load(`
      ld_pseudo r1, 1, ${map}
      ld_pseudo r2, 4, callback
      r3 = 0
      r4 = 1
      call ${H.for_each_map_elem}
      exit
      callback:
      r0 = 0
      exit`);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(0xffffffea);
  });
});

describe('helpers - maps of maps', () => {
  it('helpers - the map pointer an ARRAY_OF_MAPS lookup returns works with map_lookup_elem', async () => {
    const h = kernelHarness();
    const inner = h.map({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 4 });
    h.directory.update(inner, u32s(3), u64s(333n), 0);
    const outer = h.map({ map_type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 2, inner_map_id: inner });
    h.directory.update(outer, u32s(1), u32s(inner), 0);
    const { program } = await h.load(`
      *(u32 *)(r10 - 4) = 1
      ld_pseudo r1, 1, ${outer}
      r2 = r10
      r2 += -4
      call ${H.map_lookup_elem}
      if r0 == 0 goto miss
      r1 = r0
      *(u32 *)(r10 - 8) = 3
      r2 = r10
      r2 += -8
      call ${H.map_lookup_elem}
      if r0 == 0 goto miss
      r0 = *(u64 *)(r0 + 0)
      exit
      miss:
      r0 = 1
      exit`);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(333);
  });
});
