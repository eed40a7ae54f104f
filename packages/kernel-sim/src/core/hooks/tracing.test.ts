import { HelperId as H, encode, toBase64 } from '@bpfhive/uapi';
import { verifyRequest } from '@bpfhive/verifier';
import { describe, expect, it } from 'vitest';
import { kernelTypeId } from '../../kbtf/kernel-btf.js';
import { structLayout } from '../../kbtf/struct-layout.js';
import { FakeVerifier, kernelHarness, readU32, readU64, u32s } from '../../testing/harness.js';
import type { VerifyRequest, VerifyResult } from '../verify/types.js';
import { Simulation } from './simulation.js';

const attachFunc = (f: NonNullable<VerifyRequest['attach_func']>) => ({
  name: f.name, btf_id: f.btf_id, nr_args: f.nr_args, ret_size: f.ret_size, ...(f.args && { args: [...f.args] }), ...(f.ret_type !== undefined && { ret_type: f.ret_type }),
});

/** The real verifier, in process through its wire entry point, given all the kernel sends it. */
const realVerifier = (): FakeVerifier =>
  new FakeVerifier((r) => verifyRequest({
    prog_type: r.prog_type,
    ...(r.expected_attach_type !== undefined && { expected_attach_type: r.expected_attach_type }),
    insns: toBase64(encode(r.insns)),
    license: r.license,
    maps: r.maps.map((m) => ({ ...m })),
    ...(r.log_level !== undefined && { log_level: r.log_level }),
    ...(r.attach_func && { attach_func: attachFunc(r.attach_func) }),
    ...(r.kernel_btf && { kernel_btf: r.kernel_btf }),
  }) as unknown as VerifyResult);

const task = structLayout('task_struct');

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

  it('tracing hooks - tp_btf reads next->pid, prev->pid and prev->real_parent->tgid by plain loads, judged by the real verifier', async () => {
    const h = kernelHarness({ verifier: realVerifier() });
    const sim = new Simulation(h.kernel);
    const slots = h.map({ map_type: 'array', key_size: 4, value_size: 16, max_entries: 1 });
    const { program, log } = await h.load(withSlot0(slots, `
      r2 = *(u64 *)(r6 + 16)
      r3 = *(u32 *)(r2 + ${task.field('pid').offset})
      *(u32 *)(r7 + 0) = r3
      r2 = *(u64 *)(r6 + 8)
      r3 = *(u32 *)(r2 + ${task.field('pid').offset})
      *(u32 *)(r7 + 4) = r3
      r3 = *(u64 *)(r2 + ${task.field('real_parent').offset})
      r3 = *(u32 *)(r3 + ${task.field('tgid').offset})
      *(u32 *)(r7 + 8) = r3`), {
      prog_type: 'tracing', expected_attach_type: 'trace_raw_tp', attach_btf_id: kernelTypeId('btf_trace_sched_switch', 'TYPEDEF'), log_level: 2,
    });
    expect(log).toContain(`func 'sched_switch' arg2 has btf_id ${kernelTypeId('task_struct', 'STRUCT')} type STRUCT 'task_struct'`);
    expect(log).toContain('R3_w=rcu_ptr_task_struct()');
    // The four loads through task_structs are compiled as probe loads (bounds-checked, 0 on a fault).
    expect(program.verifierFacts).toMatchObject({ probe_mem_loads: [10, 13, 15, 16] });
    expect(program.compiled.wat()).toContain('memory.size');
    sim.links.create({ prog_id: program.id, attach_type: 'trace_raw_tp', target_name: 'sched_switch' });
    sim.spawn({ pid: 60, comm: 'parent', cpu: 1 });
    sim.spawn({ pid: 61, ppid: 60, comm: 'child', cpu: 0 });
    sim.syscall(61, { syscall: 'close', fd: 1 });
    const value = h.directory.lookup(slots, u32s(0));
    expect([readU32(value, 0), readU32(value, 4), readU32(value, 8)]).toEqual([61, 0, 0]);

    // The child exits: the CPU goes idle, and sched_switch's next is its idle task (swapper/0,
    // pid 0, init_task's parent fields zero here), read through probe loads without a fault.
    sim.syscall(61, { syscall: 'exit', code: 0 });
    const after = h.directory.lookup(slots, u32s(0));
    expect([readU32(after, 0), readU32(after, 4), readU32(after, 8)]).toEqual([0, 61, 60]);
    expect(sim.hooks.counters.of('raw_tracepoint', 'sched_switch')).toMatchObject({ errors: 0 });
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
