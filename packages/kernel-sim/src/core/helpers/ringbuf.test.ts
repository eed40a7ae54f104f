import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, u64s } from '../../testing/harness.js';

interface Consumer {
  consume(callback: (sample: Uint8Array) => void): number;
}

/** The records user space would read, as u64s. */
function drain(ring: unknown): bigint[] {
  const out: bigint[] = [];
  (ring as Consumer).consume((sample) => void out.push(new DataView(sample.buffer, sample.byteOffset).getBigUint64(0, true)));
  return out;
}

describe('helpers - ring buffer', () => {
  it('helpers - ringbuf_output copies a record that a consumer reads', async () => {
    const h = kernelHarness();
    const ring = h.map({ map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 });
    const { program } = await h.load(`
      r2 = r1
      ld_pseudo r1, 1, ${ring}
      r3 = 8
      r4 = 0
      call ${H.ringbuf_output}
      exit`);
    expect(h.kernel.testRun(program.id, { ctx_in: u64s(0xfeedn) }).retval).toBe(0);
    expect(h.kernel.testRun(program.id, { ctx_in: u64s(0xbeefn) }).retval).toBe(0);
    expect(drain(h.directory.get(ring))).toEqual([0xfeedn, 0xbeefn]);
  });

  it('helpers - reserve, write and submit commits; reserve and discard leaves nothing; query reports the data', async () => {
    const h = kernelHarness();
    const ring = h.map({ map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 });
    const { program } = await h.load(`
      ld_pseudo r1, 1, ${ring}
      r2 = 8
      r3 = 0
      call ${H.ringbuf_reserve}
      if r0 == 0 goto full
      r1 = 77
      *(u64 *)(r0 + 0) = r1
      r1 = r0
      r2 = 0
      call ${H.ringbuf_submit}
      ld_pseudo r1, 1, ${ring}
      r2 = 8
      r3 = 0
      call ${H.ringbuf_reserve}
      if r0 == 0 goto full
      r1 = r0
      r2 = 0
      call ${H.ringbuf_discard}
      ld_pseudo r1, 1, ${ring}
      r2 = 0
      call ${H.ringbuf_query}
      exit
      full:
      r0 = 999
      exit`);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(32); // two 16-byte records (header + 8) are pending
    expect(drain(h.directory.get(ring))).toEqual([77n]);
  });

  it('helpers - ringbuf_reserve with flags or more than the ring holds gives NULL', async () => {
    const h = kernelHarness();
    const ring = h.map({ map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 });
    const reserve = (size: number, flags: number) => `
      ld_pseudo r1, 1, ${ring}
      r2 = ${size}
      r3 = ${flags}
      call ${H.ringbuf_reserve}
      if r0 == 0 goto null
      r1 = r0
      r2 = 0
      call ${H.ringbuf_discard}
      r0 = 1
      null:
      exit`;
    const run = async (size: number, flags: number) => h.kernel.testRun((await h.load(reserve(size, flags))).program.id, {}).retval;
    expect(await run(8, 0)).toBe(1);
    expect(await run(8, 1)).toBe(0);
    expect(await run(8192, 0)).toBe(0);
  });

  it('helpers - ringbuf_output: BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP are the only flags (else -EINVAL); a full ring is -EAGAIN', async () => {
    const h = kernelHarness();
    const ring = h.map({ map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 });
    const output = (flags: string) => `
      r2 = r1
      ld_pseudo r1, 1, ${ring}
      r3 = 8
      r4 = ${flags}
      call ${H.ringbuf_output}
      exit`;
    const run = async (flags: string) => h.kernel.testRun((await h.load(output(flags))).program.id, { ctx_in: u64s(1n) }).retval;
    expect(await run('3')).toBe(0);
    expect(await run('4')).toBe(0xffffffea); // -EINVAL
    expect(await run('0x100000000 ll')).toBe(0xffffffea);
    // Records of 8 bytes take 16 (an 8-byte header); a 4096-byte ring holds 255, not 256, as the
    // producer may not catch up with the consumer (__bpf_ringbuf_reserve: new_prod_pos - cons_pos > mask);
    // the first run above took one.
    const { program } = await h.load(output('0'));
    const results = Array.from({ length: 256 }, () => h.kernel.testRun(program.id, { ctx_in: u64s(2n) }).retval);
    expect(results.slice(0, 254).every((r) => r === 0)).toBe(true);
    expect(results.slice(254)).toEqual([0xfffffff5, 0xfffffff5]); // -EAGAIN
  });
});
