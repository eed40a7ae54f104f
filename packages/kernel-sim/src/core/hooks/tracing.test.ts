import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelTypeId } from '../../kbtf/kernel-btf.js';
import { kernelHarness, readU64, u32s } from '../../testing/harness.js';
import { Simulation } from './simulation.js';

/** r7 = array map `map`'s slot 0, r6 = the context; `stores` then run. */
const withSlot0 = (map: number, stores: string) => `
  r6 = r1
  *(u32 *)(r10 - 4) = 0
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto out
  r7 = r0
  ${stores}
  out:
  r0 = 0
  exit`;

describe('tracing hooks', () => {
  it('tracing hooks - a program runs on the CPU of the event’s task, with that task current', async () => {
    const h = kernelHarness({ cpus: 2 });
    const sim = new Simulation(h.kernel);
    const slots = h.map({ map_type: 'array', key_size: 4, value_size: 16, max_entries: 1 });
    const { program } = await h.load(withSlot0(slots, `
      call ${H.get_smp_processor_id}
      *(u64 *)(r7 + 0) = r0
      call ${H.get_current_pid_tgid}
      *(u64 *)(r7 + 8) = r0`), { prog_type: 'tracepoint' });
    sim.links.create({ prog_id: program.id, attach_type: 'perf_event', target_name: 'syscalls/sys_enter_close' });
    sim.spawn({ pid: 77, tgid: 70, comm: 'closer', cpu: 1 });
    sim.syscall(77, { syscall: 'close', fd: 2 });
    const value = h.directory.lookup(slots, u32s(0));
    expect([readU64(value, 0), readU64(value, 8)]).toEqual([1n, (70n << 32n) | 77n]);
  });

  it('tracing hooks - tp_btf and raw tracepoint programs both get sched_switch’s arguments (prev, next task_struct)', async () => {
    const h = kernelHarness();
    const sim = new Simulation(h.kernel);
    const slots = h.map({ map_type: 'array', key_size: 4, value_size: 16, max_entries: 1 });
    const btf = await h.load(withSlot0(slots, 'r1 = *(u64 *)(r6 + 16)\n*(u64 *)(r7 + 0) = r1'), { prog_type: 'tracing', expected_attach_type: 'trace_raw_tp', attach_btf_id: kernelTypeId('btf_trace_sched_switch', 'TYPEDEF') });
    const raw = await h.load(withSlot0(slots, 'r1 = *(u64 *)(r6 + 16)\n*(u64 *)(r7 + 8) = r1'), { prog_type: 'raw_tracepoint' });
    sim.links.create({ prog_id: btf.program.id, attach_type: 'trace_raw_tp', target_name: 'sched_switch' });
    sim.links.create({ prog_id: raw.program.id, attach_type: 'trace_raw_tp', target_name: 'sched_switch' });
    const task = sim.spawn({ pid: 90, comm: 'sleeper', cpu: 0 });
    sim.syscall(90, { syscall: 'close', fd: 1 });
    const value = h.directory.lookup(slots, u32s(0));
    expect([readU64(value, 0), readU64(value, 8)]).toEqual([task.taskStruct, task.taskStruct]);
    expect(sim.hooks.counters.of('raw_tracepoint', 'sched_switch').runs).toBe(2);
  });

  it('tracing hooks - a program that faults is counted as an error and the world goes on', async () => {
    const h = kernelHarness();
    const sim = new Simulation(h.kernel);
    const { program } = await h.load('r1 = -8 ll\nr0 = *(u64 *)(r1 + 0)\nexit', { prog_type: 'kprobe' });
    sim.links.create({ prog_id: program.id, attach_type: 'perf_event', target_name: 'filp_close' });
    sim.spawn({ pid: 5, comm: 'x' });
    expect(sim.syscall(5, { syscall: 'close', fd: 0 }).ret).toBe(0);
    expect(sim.hooks.counters.of('kprobe', 'filp_close')).toMatchObject({ runs: 1, errors: 1 });
  });
});
