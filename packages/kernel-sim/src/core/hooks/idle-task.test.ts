import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { structLayout } from '../../kbtf/struct-layout.js';
import { kernelHarness, readU64 } from '../../testing/harness.js';
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
});
