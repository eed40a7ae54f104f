import { type PerfEventInfo, PerfEventArrayMap } from '@bpfhive/maps-store';
import { HelperId as H, MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, u32s, u64s } from '../../testing/harness.js';

/**
 * Perf events are kernel objects of a later phase: a PERF_EVENT_ARRAY here gets a stand-in
 * PerfEventPort with events 10 (a BPF output event on CPU 0) and 11 (on CPU 1), served as map 100.
 */
const PERF_ARRAY = 100;
const EVENTS = new Map<number, PerfEventInfo>([
  [10, { bpf_output: true, readable: true, cpu: 0 }],
  [11, { bpf_output: true, readable: true, cpu: 1 }],
]);

function harness(samples: [number, number, bigint][]) {
  let array: PerfEventArrayMap | undefined;
  const port = {
    acquire: (id: number) => EVENTS.get(id),
    release: () => {},
    output: (event: number, cpu: number, sample: Uint8Array) => {
      samples.push([event, cpu, new DataView(sample.buffer).getBigUint64(0, true)]);
      return 0;
    },
  };
  const h = kernelHarness({
    cpus: 2,
    extraMaps: (arena) => ({ [PERF_ARRAY]: (array = new PerfEventArrayMap({ map_type: MapType.PERF_EVENT_ARRAY, key_size: 4, value_size: 4, max_entries: 3, map_flags: 0 }, arena, port)) }),
  });
  array!.update(u32s(0), u32s(10), 0);
  array!.update(u32s(1), u32s(11), 0);
  return h;
}

const output = (flags: string) => `
  r4 = r1
  ld_pseudo r2, 1, ${PERF_ARRAY}
  r3 = ${flags}
  r5 = 8
  call ${H.perf_event_output}
  exit`;

describe('helpers - perf_event_output', () => {
  it('helpers - sends the sample to the event in the slot the flags name, or this CPU\'s with BPF_F_CURRENT_CPU', async () => {
    const samples: [number, number, bigint][] = [];
    const h = harness(samples);
    const current = await h.load(output('0xffffffff ll'), { prog_type: 'raw_tracepoint' });
    expect(h.kernel.testRun(current.program.id, { ctx_in: u64s(22n), flags: 1, cpu: 1 }).retval).toBe(0);
    expect(h.kernel.testRun(current.program.id, { ctx_in: u64s(33n) }).retval).toBe(0);
    expect(samples).toEqual([
      [11, 1, 22n],
      [10, 0, 33n],
    ]);
  });

  it.each([
    ['an event bound to another CPU', '1', 0xffffffa1], // -EOPNOTSUPP
    ['an empty slot', '2', 0xfffffffe], // -ENOENT
    ['an index past the last slot', '3', 0xfffffff9], // -E2BIG
    ['flag bits above the index', '0x100000000 ll', 0xffffffea], // -EINVAL
  ])('helpers - %s is an error', async (_title, flags, retval) => {
    const h = harness([]);
    const { program } = await h.load(output(flags), { prog_type: 'raw_tracepoint' });
    expect(h.kernel.testRun(program.id, { ctx_in: u64s(1n) }).retval).toBe(retval);
  });
});
