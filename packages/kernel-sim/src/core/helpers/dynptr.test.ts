import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';

interface Consumer {
  consume(callback: (sample: Uint8Array) => void): number;
}

function drain(ring: unknown): bigint[] {
  const out: bigint[] = [];
  (ring as Consumer).consume((sample) => void out.push(new DataView(sample.buffer, sample.byteOffset).getBigUint64(0, true)));
  return out;
}

/** A helper's negative errno as the u32 test_run's retval reports. */
const err = (errno: number): number => -errno >>> 0;

describe('helpers - dynptr', () => {
  it('helpers - ringbuf_reserve_dynptr, dynptr_write and submit_dynptr commit a record a consumer reads', async () => {
    const h = kernelHarness();
    const ring = h.map({ map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 });
    const { program } = await h.load(`
      ld_pseudo r1, 1, ${ring}
      r2 = 8
      r3 = 0
      r4 = r10
      r4 += -16
      call ${H.ringbuf_reserve_dynptr}
      r6 = r0
      r1 = 0xabcd
      *(u64 *)(r10 - 24) = r1
      r1 = r10
      r1 += -16
      r2 = 0
      r3 = r10
      r3 += -24
      r4 = 8
      r5 = 0
      call ${H.dynptr_write}
      r6 |= r0
      r1 = r10
      r1 += -16
      r2 = 0
      call ${H.ringbuf_submit_dynptr}
      r0 = r6
      exit`);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(0);
    expect(drain(h.directory.get(ring))).toEqual([0xabcdn]);
  });

  it('helpers - a reservation larger than the ring fails with EAGAIN and leaves a NULL dynptr that discard accepts', async () => {
    const h = kernelHarness();
    const ring = h.map({ map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 });
    const { program } = await h.load(`
      ld_pseudo r1, 1, ${ring}
      r2 = 8192
      r3 = 0
      r4 = r10
      r4 += -16
      call ${H.ringbuf_reserve_dynptr}
      r6 = r0
      r1 = r10
      r1 += -16
      r2 = 0
      r3 = 8
      call ${H.dynptr_data}
      r7 = r0
      r1 = r10
      r1 += -16
      r2 = 0
      call ${H.ringbuf_discard_dynptr}
      r0 = r6
      if r7 == 0 goto out
      r0 = 1
      out:
      exit`);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(err(11));
    expect(drain(h.directory.get(ring))).toEqual([]);
  });

  it('helpers - dynptr_from_mem, dynptr_read and dynptr_data over stack memory, with their bounds and flags', async () => {
    const h = kernelHarness();
    // r0 = the code of one call; each variant reads or slices 8 bytes at an offset of a 16-byte dynptr.
    const prog = (call: string) => `
      r1 = 0x1122
      *(u64 *)(r10 - 8) = r1
      r1 = 0x3344
      *(u64 *)(r10 - 16) = r1
      r1 = r10
      r1 += -16
      r2 = 16
      r3 = 0
      r4 = r10
      r4 += -32
      call ${H.dynptr_from_mem}
      if r0 != 0 goto out
      ${call}
      out:
      exit`;
    const read = (offset: number, flags: number) => `
      r1 = r10
      r1 += -40
      r2 = 8
      r3 = r10
      r3 += -32
      r4 = ${offset}
      r5 = ${flags}
      call ${H.dynptr_read}
      if r0 != 0 goto out
      r0 = *(u64 *)(r10 - 40)`;
    const data = (offset: number) => `
      r1 = r10
      r1 += -32
      r2 = ${offset}
      r3 = 8
      call ${H.dynptr_data}
      if r0 == 0 goto out
      r0 = *(u64 *)(r0 + 0)`;
    const run = async (call: string) => h.kernel.testRun((await h.load(prog(call))).program.id, {}).retval;
    expect(await run(read(0, 0))).toBe(0x3344);
    expect(await run(read(8, 0))).toBe(0x1122);
    expect(await run(read(9, 0))).toBe(err(7));
    expect(await run(read(0, 1))).toBe(err(22));
    expect(await run(data(8))).toBe(0x1122);
    expect(await run(data(12))).toBe(0);
  });

  it('helpers - dynptr_from_mem with flags gives EINVAL and a NULL dynptr that dynptr_write refuses', async () => {
    const h = kernelHarness();
    const { program } = await h.load(`
      r1 = r10
      r1 += -8
      r2 = 8
      r3 = 1
      r4 = r10
      r4 += -32
      call ${H.dynptr_from_mem}
      r6 = r0
      r1 = r10
      r1 += -32
      r2 = 0
      r3 = r10
      r3 += -8
      r4 = 8
      r5 = 0
      call ${H.dynptr_write}
      if r6 != r0 goto out
      r0 = 1
      out:
      exit`);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(1);
  });
});
