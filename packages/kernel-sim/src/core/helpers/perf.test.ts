import { PerfEventArrayMap } from '@bpfhive/maps-store';
import { HelperId as H, MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { PerfEvents, type PerfRecord } from '../perf/perf-events.js';
import { kernelHarness, u32s, u64s } from '../../testing/harness.js';

/**
 * perf_event_output into a PERF_EVENT_ARRAY (map 100, 3 slots) whose slots 0 and 1 hold BPF output
 * events on CPUs 0 and 1 of the kernel's PerfEvents; records are flushed by hand.
 */
const PERF_ARRAY = 100;

function harness(pages = 1) {
  const records: [number, PerfRecord][] = [];
  const events = new PerfEvents(2, (mapId, out) => out.forEach((r) => records.push([mapId, r])), () => {});
  let array: PerfEventArrayMap | undefined;
  const h = kernelHarness({
    cpus: 2,
    extraMaps: (arena) => ({
      [PERF_ARRAY]: (array = new PerfEventArrayMap({ map_type: MapType.PERF_EVENT_ARRAY, key_size: 4, value_size: 4, max_entries: 3, map_flags: 0 }, arena, events.portFor(PERF_ARRAY))),
    }),
  });
  array!.update(u32s(0), u32s(events.open({ cpu: 0, page_cnt: pages })), 0);
  array!.update(u32s(1), u32s(events.open({ cpu: 1, page_cnt: pages })), 0);
  const flushed = (): [number, PerfRecord][] => {
    events.flush();
    return records.splice(0);
  };
  return { h, flushed };
}

/** perf_event_output(ctx, map, flags, &u64 from the context's first word, 8). */
const output = (flags: string) => `
  r4 = r1
  ld_pseudo r2, 1, ${PERF_ARRAY}
  r3 = ${flags}
  r5 = 8
  call ${H.perf_event_output}
  exit`;

/** An XDP program outputting 4 bytes of the stack, then the packet's first bytes as `flags` asks. */
const xdpOutput = (flags: string) => `
  r2 = 0x64636261
  *(u32 *)(r10 - 4) = r2
  ld_pseudo r2, 1, ${PERF_ARRAY}
  r3 = ${flags}
  r4 = r10
  r4 += -4
  r5 = 4
  call ${H.perf_event_output}
  exit`;

const bytesOf = (r: PerfRecord): number[] => ('data' in r ? [...r.data] : []);

describe('helpers - perf_event_output', () => {
  it("helpers - perf_event_output - sends the sample to the event in the slot the flags name, or this CPU's with BPF_F_CURRENT_CPU", async () => {
    const { h, flushed } = harness();
    const { program } = await h.load(output('0xffffffff ll'), { prog_type: 'raw_tracepoint' });
    expect(h.kernel.testRun(program.id, { ctx_in: u64s(22n), flags: 1, cpu: 1 }).retval).toBe(0);
    expect(h.kernel.testRun(program.id, { ctx_in: u64s(33n) }).retval).toBe(0);
    expect(flushed()).toEqual([
      [PERF_ARRAY, { cpu: 1, data: u64s(22n) }],
      [PERF_ARRAY, { cpu: 0, data: u64s(33n) }],
    ]);
    expect(flushed()).toEqual([]);
  });

  it.each([
    ['an event bound to another CPU', '1', 0xffffffa1], // -EOPNOTSUPP
    ['an empty slot', '2', 0xfffffffe], // -ENOENT
    ['an index past the last slot', '3', 0xfffffff9], // -E2BIG
    ['flag bits above the index', '0x100000000 ll', 0xffffffea], // -EINVAL
    ['a packet length (BPF_F_CTXLEN_MASK) from a tracing program', '0x4ffffffff ll', 0xffffffea], // -EINVAL
  ])('helpers - perf_event_output - %s is an error', async (_title, flags, retval) => {
    const { h, flushed } = harness();
    const { program } = await h.load(output(flags), { prog_type: 'raw_tracepoint' });
    expect(h.kernel.testRun(program.id, { ctx_in: u64s(1n) }).retval).toBe(retval);
    expect(flushed()).toEqual([]);
  });

  it('helpers - perf_event_output - XDP appends BPF_F_CTXLEN_MASK bytes of the packet to the sample', async () => {
    const { h, flushed } = harness();
    const { program } = await h.load(xdpOutput('0x3ffffffff ll'), { prog_type: 'xdp' });
    const frame = new Uint8Array(64).map((_, i) => i + 1);
    expect(h.kernel.testRun(program.id, { data_in: frame }).retval).toBe(0);
    const [[, record]] = flushed() as [[number, PerfRecord]];
    expect(record.cpu).toBe(0);
    expect(bytesOf(record)).toEqual([0x61, 0x62, 0x63, 0x64, 1, 2, 3]);
  });

  it('helpers - perf_event_output - a packet length past the packet is EFAULT, bits outside index and length EINVAL', async () => {
    const { h, flushed } = harness();
    const tooLong = await h.load(xdpOutput('0x41ffffffff ll'), { prog_type: 'xdp' });
    expect(h.kernel.testRun(tooLong.program.id, { data_in: new Uint8Array(64) }).retval).toBe(0xfffffff2); // -EFAULT
    const badBits = await h.load(xdpOutput('0x10000000000000 ll'), { prog_type: 'xdp' });
    expect(h.kernel.testRun(badBits.program.id, { data_in: new Uint8Array(64) }).retval).toBe(0xffffffea); // -EINVAL
    expect(flushed()).toEqual([]);
  });

  it('helpers - perf_event_output - a sample that does not fit the buffer is lost: -ENOSPC and a lost record', async () => {
    const { h, flushed } = harness(1);
    // One page holds 170 records of an 8-byte sample (8 header + 4 size + 8 data, padded to 24 bytes).
    const { program } = await h.load(output('0xffffffff ll'), { prog_type: 'raw_tracepoint' });
    const results = Array.from({ length: 200 }, () => h.kernel.testRun(program.id, { ctx_in: u64s(7n) }).retval);
    expect(results.filter((r) => r === 0).length).toBe(170);
    expect(results.filter((r) => r === 0xffffffe4).length).toBe(30); // -ENOSPC
    const records = flushed().map(([, r]) => r);
    expect(records.filter((r) => 'data' in r)).toHaveLength(170);
    expect(records.at(-1)).toEqual({ cpu: 0, lost: 30 });
    // Drained: room again.
    expect(h.kernel.testRun(program.id, { ctx_in: u64s(7n) }).retval).toBe(0);
  });
});
