import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU64, u32s } from '../../testing/harness.js';
import { PerfEvents } from '../perf/perf-events.js';
import { Simulation } from './simulation.js';

const MS = 1_000_000;

/**
 * Appends bpf_ktime_get_ns() + `tag` to a log: element 0 of ARRAY `log` (value: a u64 count, then
 * up to 30 u64 entries); r6 is clobbered.
 */
const append = (log: number, tag: number) => `
  *(u32 *)(r10 - 4) = 0
  r2 = r10
  r2 += -4
  ld_pseudo r1, 1, ${log}
  call ${H.map_lookup_elem}
  if r0 == 0 goto skip${tag}
  r6 = r0
  call ${H.ktime_get_ns}
  r0 += ${tag}
  r1 = *(u64 *)(r6 + 0)
  r2 = r1
  r2 <<= 3
  r2 += r6
  *(u64 *)(r2 + 8) = r0
  r1 += 1
  *(u64 *)(r6 + 0) = r1
  skip${tag}:`;

describe('hooks - one virtual time line for perf samples and bpf_timer callbacks', () => {
  it('samples and timer callbacks due in one catch-up run in time order, each reading its own time from bpf_ktime_get_ns', async () => {
    const h = kernelHarness();
    const perfEvents = new PerfEvents(2, () => {});
    const sim = new Simulation(h.kernel, { perfEvents });
    const log = h.map({ map_type: 'array', key_size: 4, value_size: 8 * 31, max_entries: 1 });
    const timers = h.map({ map_type: 'array', key_size: 4, value_size: 16, max_entries: 1 });
    // A 1 ms cpu-clock sample on CPU 0 logs its time; a timer armed for 1.5 ms logs its time + 1 and re-arms for 2 ms.
    const sampler = await h.load(`${append(log, 0)}\nr0 = 0\nexit`, { prog_type: 'perf_event' });
    const event = perfEvents.open({ cpu: 0, config: 0, sample_period: MS });
    sim.links.create({ prog_id: sampler.program.id, attach_type: 'perf_event', target_fd: event });
    const arm = await h.load(`
      *(u32 *)(r10 - 4) = 0
      r2 = r10
      r2 += -4
      ld_pseudo r1, 1, ${timers}
      call ${H.map_lookup_elem}
      if r0 == 0 goto out
      r7 = r0
      r1 = r7
      ld_pseudo r2, 1, ${timers}
      r3 = 1
      call ${H.timer_init}
      r1 = r7
      ld_pseudo r2, 4, cb
      call ${H.timer_set_callback}
      r1 = r7
      r2 = ${1.5 * MS}
      r3 = 0
      call ${H.timer_start}
      out:
      r0 = 0
      exit
      cb:
      r7 = r3
      ${append(log, 1)}
      r1 = r7
      r2 = ${2 * MS}
      r3 = 0
      call ${H.timer_start}
      r0 = 0
      exit`);
    expect(h.kernel.testRun(arm.program.id, {}).retval).toBe(0);
    const start = h.kernel.clock.monotonicNs();
    sim.advance(4 * MS);
    const value = h.directory.get(log).lookup(u32s(0));
    const entries = Array.from({ length: Number(readU64(value, 0)) }, (_, i) => readU64(value, 8 + i * 8) - start);
    const at = (ms: number, tag: number): bigint => BigInt(ms * MS + tag);
    expect(entries).toEqual([at(1, 0), at(1.5, 1), at(2, 0), at(3, 0), at(3.5, 1), at(4, 0)]);
    expect(sim.hooks.timers.errors).toBe(0);
  });

  it("a sample's bpf_get_attach_cookie is its link's perf_event.bpf_cookie (bpf_get_attach_cookie_pe); its bpf_get_func_ip is 0", async () => {
    const h = kernelHarness();
    const perfEvents = new PerfEvents(2, () => {});
    const sim = new Simulation(h.kernel, { perfEvents });
    const out = h.map({ map_type: 'array', key_size: 4, value_size: 16, max_entries: 1 });
    const { program } = await h.load(`
      *(u32 *)(r10 - 4) = 0
      r2 = r10
      r2 += -4
      ld_pseudo r1, 1, ${out}
      call ${H.map_lookup_elem}
      if r0 == 0 goto done
      r6 = r0
      call ${H.get_attach_cookie}
      *(u64 *)(r6 + 0) = r0
      call ${H.get_func_ip}
      r0 += 1
      *(u64 *)(r6 + 8) = r0
      done:
      r0 = 0
      exit`, { prog_type: 'perf_event' });
    const event = perfEvents.open({ cpu: 1, config: 0, sample_period: MS });
    sim.links.create({ prog_id: program.id, attach_type: 'perf_event', target_fd: event, perf_event: { bpf_cookie: 0x5eed } });
    sim.advance(MS);
    const value = h.directory.get(out).lookup(u32s(0));
    expect([readU64(value, 0), readU64(value, 8)]).toEqual([0x5eedn, 1n]);
  });
});
