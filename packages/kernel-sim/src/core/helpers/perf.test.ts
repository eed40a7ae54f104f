import { PerfEventArrayMap } from '@bpfhive/maps-store';
import { HelperId as H, MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { PerfEvents, type PerfRecord } from '../perf/perf-events.js';
import { kernelHarness, u32s, u64s } from '../../testing/harness.js';
import { structLayout } from '../../kbtf/struct-layout.js';
import { buildSkbContext } from '../contexts/skb.js';
import { LOOPBACK } from '../net/devices.js';

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

  it('helpers - perf_event_output - a tc program (bpf_skb_event_output) appends BPF_F_CTXLEN_MASK bytes of the packet from skb->data', async () => {
    const { h, flushed } = harness();
    const { program } = await h.load(xdpOutput('0x0effffffff ll'), { prog_type: 'sched_cls' });
    const frame = new Uint8Array(64).map((_, i) => 0x80 + i);
    expect(h.kernel.testRun(program.id, { data_in: frame }).retval).toBe(0);
    const [[, record]] = flushed() as [[number, PerfRecord]];
    expect(bytesOf(record)).toEqual([0x61, 0x62, 0x63, 0x64, ...frame.subarray(0, 14)]);
    // skb->len is the whole frame: one byte more is -EFAULT.
    const { program: tooLong } = await h.load(xdpOutput('0x41ffffffff ll'), { prog_type: 'sched_cls' });
    expect(h.kernel.testRun(tooLong.id, { data_in: frame }).retval).toBe(0xfffffff2);
    const { program: exact } = await h.load(xdpOutput('0x40ffffffff ll'), { prog_type: 'sched_cls' });
    expect(h.kernel.testRun(exact.id, { data_in: frame }).retval).toBe(0);
    expect(flushed().map(([, r]) => bytesOf(r).length)).toEqual([68]);
  });

  it.each(['socket_filter', 'cgroup_skb', 'sk_skb', 'lwt_in'])('helpers - perf_event_output - %s is an skb program too (bpf_skb_event_output): the bytes from skb->data, the network header, follow the sample', async (type) => {
    const { h, flushed } = harness();
    const { program } = await h.load(xdpOutput('0x2ffffffff ll'), { prog_type: type });
    const frame = new Uint8Array(64).map((_, i) => i);
    // sk_skb has no test_run in Linux: run it on an __sk_buff as its hook would.
    const { ctx, packet } = buildSkbContext(h.kernel.arena, { frame, device: LOOPBACK, l2: false, fields: {} });
    expect(h.kernel.run(program, h.kernel.cpus[0]!, ctx.address, { packet }).r0).toBe(0n);
    ctx.free();
    packet.free();
    expect(flushed().map(([, r]) => bytesOf(r))).toEqual([[0x61, 0x62, 0x63, 0x64, 14, 15]]);
  });
});

/**
 * bpf_skb_output / bpf_xdp_output from a tracing program given a kernel struct sk_buff / xdp_buff:
 * the program reads the struct's address from its context's first u64 and outputs "abcd" and
 * `flags`' packet bytes to this CPU's slot.
 */
describe('helpers - bpf_skb_output and bpf_xdp_output', () => {
  const kernelOutput = (helper: number, flags: string) => `
    r6 = *(u64 *)(r1 + 0)
    r2 = 0x64636261
    *(u32 *)(r10 - 4) = r2
    r1 = r6
    ld_pseudo r2, 1, ${PERF_ARRAY}
    r3 = ${flags}
    r4 = r10
    r4 += -4
    r5 = 4
    call ${helper}
    exit`;
  const PACKET = Uint8Array.from({ length: 20 }, (_, i) => 0x10 + i);

  /** A kernel struct `name` in the arena with its packet pointers set, and the packet after it. */
  function kernelStruct(h: ReturnType<typeof harness>['h'], name: 'sk_buff' | 'xdp_buff') {
    const layout = structLayout(name);
    const packet = h.kernel.arena.alloc(PACKET.length);
    h.kernel.arena.bytes.set(PACKET, packet);
    const struct = h.kernel.arena.alloc(layout.size);
    const view = new DataView(h.kernel.arena.bytes.buffer);
    h.kernel.arena.bytes.fill(0, struct, struct + layout.size);
    view.setBigUint64(struct + layout.field('data').offset, BigInt(packet), true);
    if (name === 'sk_buff') view.setUint32(struct + layout.field('len').offset, PACKET.length, true);
    else view.setBigUint64(struct + layout.field('data_end').offset, BigInt(packet + PACKET.length), true);
    return struct;
  }

  it.each([
    ['bpf_skb_output', H.skb_output, 'sk_buff'],
    ['bpf_xdp_output', H.xdp_output, 'xdp_buff'],
  ] as const)('helpers - %s - appends the kernel packet bytes after the sample; past the packet -EFAULT, a NULL struct -EFAULT, other flag bits -EINVAL', async (_name, helper, struct) => {
    const { h, flushed } = harness();
    const at = kernelStruct(h, struct);
    const run = async (flags: string, pointer: bigint) => h.kernel.testRun((await h.load(kernelOutput(helper, flags), { prog_type: 'raw_tracepoint' })).program.id, { ctx_in: u64s(pointer) }).retval;
    expect(await run('0x5ffffffff ll', BigInt(at))).toBe(0);
    expect(await run('0x14ffffffff ll', BigInt(at))).toBe(0);
    expect(flushed().map(([, r]) => bytesOf(r))).toEqual([
      [0x61, 0x62, 0x63, 0x64, 0x10, 0x11, 0x12, 0x13, 0x14],
      [0x61, 0x62, 0x63, 0x64, ...PACKET],
    ]);
    expect(await run('0x15ffffffff ll', BigInt(at))).toBe(0xfffffff2); // -EFAULT: 21 > 20 bytes
    expect(await run('0x1ffffffff ll', 0n)).toBe(0xfffffff2); // -EFAULT: NULL
    expect(await run('0x10000000000000 ll', BigInt(at))).toBe(0xffffffea); // -EINVAL
    expect(await run('2', BigInt(at))).toBe(0xfffffffe); // -ENOENT: an empty slot
    expect(flushed()).toEqual([]);
  });
});
