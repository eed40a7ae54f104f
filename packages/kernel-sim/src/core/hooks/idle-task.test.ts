import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { structLayout } from '../../kbtf/struct-layout.js';
import { kernelHarness, readU64 } from '../../testing/harness.js';
import { PerfEvents } from '../perf/perf-events.js';
import { Simulation } from './simulation.js';

const task = structLayout('task_struct');

/**
 * A raw sched_switch program: slot 0 gets `next` (args[2]), then next->pid and next->comm as
 * bpf_probe_read_kernel copies them.
 */
const NEXT_TASK = (map: number) => `
  r6 = r1
  *(u32 *)(r10 - 4) = 0
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto out
  r7 = r0
  r8 = *(u64 *)(r6 + 16)
  *(u64 *)(r7 + 0) = r8
  r1 = r7
  r1 += 8
  r2 = 4
  r3 = r8
  r3 += ${task.field('pid').offset}
  call ${H.probe_read_kernel}
  r1 = r7
  r1 += 16
  r2 = 16
  r3 = r8
  r3 += ${task.field('comm').offset}
  call ${H.probe_read_kernel}
  out:
  r0 = 0
  exit`;

/**
 * A perf_event program about `current`: slot 0 gets bpf_get_current_task(), +8 its pid and +16
 * its comm as bpf_probe_read_kernel copies them, +32 bpf_get_current_task_btf(), +40
 * bpf_get_current_pid_tgid().
 */
const CURRENT_TASK = (map: number) => `
  *(u32 *)(r10 - 4) = 0
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto out
  r7 = r0
  call ${H.get_current_task}
  r8 = r0
  *(u64 *)(r7 + 0) = r8
  r1 = r7
  r1 += 8
  r2 = 4
  r3 = r8
  r3 += ${task.field('pid').offset}
  call ${H.probe_read_kernel}
  r1 = r7
  r1 += 16
  r2 = 16
  r3 = r8
  r3 += ${task.field('comm').offset}
  call ${H.probe_read_kernel}
  call ${H.get_current_task_btf}
  *(u64 *)(r7 + 32) = r0
  call ${H.get_current_pid_tgid}
  *(u64 *)(r7 + 40) = r0
  out:
  r0 = 0
  exit`;

const MS = 1_000_000;

describe('idle task', () => {
  it('idle task - sched_switch from an exiting task passes next = the CPU idle task, which a program reads as pid 0, comm swapper/<cpu>', async () => {
    const h = kernelHarness({ cpus: 2 });
    const sim = new Simulation(h.kernel);
    const slots = h.map({ map_type: 'array', key_size: 4, value_size: 32, max_entries: 1 });
    const { program } = await h.load(NEXT_TASK(slots), { prog_type: 'raw_tracepoint' });
    sim.links.create({ prog_id: program.id, attach_type: 'trace_raw_tp', target_name: 'sched_switch' });
    sim.spawn({ pid: 61, comm: 'child', cpu: 1 });
    sim.syscall(61, { syscall: 'close', fd: 1 });
    sim.syscall(61, { syscall: 'exit', code: 0 });
    const value = h.directory.lookup(slots, new Uint8Array(4));
    const next = readU64(value, 0);
    expect(next).not.toBe(0n);
    expect(next).toBe(sim.world.objects.idleTask(1));
    expect(new DataView(value.buffer, value.byteOffset).getInt32(8, true)).toBe(0);
    expect(Buffer.from(value.subarray(16, 32)).toString('latin1').replace(/\0+$/, '')).toBe('swapper/1');
    expect(sim.hooks.counters.of('raw_tracepoint', 'sched_switch')).toMatchObject({ runs: 2, errors: 0 });
  });

  it.each([
    [1, 'swapper/1'],
    [0, 'swapper/0'],
  ])('idle task - a perf_event sample on idle CPU %i finds current = the world idle task (pid 0, comm %s) through get_current_task and get_current_task_btf', async (cpuIndex, comm) => {
    const h = kernelHarness({ cpus: 2 });
    const perfEvents = new PerfEvents(2, () => {});
    const sim = new Simulation(h.kernel, { perfEvents });
    const slots = h.map({ map_type: 'array', key_size: 4, value_size: 48, max_entries: 1 });
    const { program } = await h.load(CURRENT_TASK(slots), { prog_type: 'perf_event' });
    const event = perfEvents.open({ cpu: cpuIndex, config: 0, sample_period: MS });
    sim.links.create({ prog_id: program.id, attach_type: 'perf_event', target_fd: event });
    sim.advance(MS);
    const value = h.directory.lookup(slots, new Uint8Array(4));
    const idle = sim.world.objects.idleTask(cpuIndex);
    expect(readU64(value, 0)).toBe(idle);
    expect(new DataView(value.buffer, value.byteOffset).getInt32(8, true)).toBe(0);
    expect(Buffer.from(value.subarray(16, 32)).toString('latin1').replace(/\0+$/, '')).toBe(comm);
    expect(readU64(value, 32)).toBe(idle);
    expect(readU64(value, 40)).toBe(0n);
    expect(sim.hooks.counters.of('perf_event', `cpu ${cpuIndex} event ${event} link 1`)).toMatchObject({ runs: 1, errors: 0 });
  });

  it('idle task - a CPU of a kernel with no world is idle in a stand-in swapper/<cpu> with no world task_struct; a Simulation makes the world one current', () => {
    const h = kernelHarness({ cpus: 2 });
    const cpu = h.kernel.cpus[1]!;
    expect(cpu.task).toBe(cpu.idle);
    expect(cpu.idle).toEqual({ pid: 0, tgid: 0, uid: 0, gid: 0, comm: 'swapper/1', cgroupId: 1n });
    const sim = new Simulation(h.kernel);
    expect(cpu.idle).toMatchObject({ pid: 0, comm: 'swapper/1', taskStruct: sim.world.objects.idleTask(1) });
    expect(cpu.task).toBe(cpu.idle);
  });
});
