import { HelperId, KFUNCS, encode, findBtfType, toBase64 } from '@bpfhive/uapi';
import { verifyRequest } from '@bpfhive/verifier';
import { describe, expect, it } from 'vitest';
import { kernelBtf } from '../../kbtf/kernel-btf.js';
import { structLayout } from '../../kbtf/struct-layout.js';
import { FakeVerifier, kernelHarness } from '../../testing/harness.js';
import { Simulation } from '../hooks/simulation.js';
import type { VerifyResult } from '../verify/types.js';

/**
 * kfuncs and typed ksyms end to end inside the kernel: programs in assembly naming kfuncs and
 * per-CPU variables by their ids in the kernel's BTF, judged by the real verifier (in process,
 * through its wire entry point), then run on the world's task_structs.
 */
const btf = kernelBtf();
const id = (name: string, kind: 'FUNC' | 'VAR'): number => findBtfType(btf, name, kind)!;
const FROM_PID = id('bpf_task_from_pid', 'FUNC');
const ACQUIRE = id('bpf_task_acquire', 'FUNC');
const RELEASE = id('bpf_task_release', 'FUNC');
const PROG_ACTIVE = id('bpf_prog_active', 'VAR');
const PID_OFF = structLayout('task_struct').field('pid').offset;

const realVerifier = (): FakeVerifier =>
  new FakeVerifier((r) => verifyRequest({
    prog_type: r.prog_type,
    insns: toBase64(encode(r.insns)),
    license: r.license,
    maps: r.maps.map((m) => ({ ...m })),
    ...(r.kernel_btf && { kernel_btf: r.kernel_btf }),
  }) as unknown as VerifyResult);

function world() {
  const h = kernelHarness({ verifier: realVerifier() });
  const sim = new Simulation(h.kernel);
  sim.spawn({ pid: 4242, comm: 'worker' });
  sim.world.syncObjects();
  return { h, sim, refs: h.kernel.taskRefs.taskRefs! };
}

/** Finds `pid`, reads its pid through a second reference, releases both: r0 = the pid, -1 for none. */
const fromPidProgram = (pid: number): string => `
  r1 = ${pid}
  call kfunc#${FROM_PID}
  if r0 == 0 goto none
  r6 = r0
  r1 = r0
  call kfunc#${ACQUIRE}
  if r0 == 0 goto one
  r7 = *(u32 *)(r0 + ${PID_OFF})
  r1 = r0
  call kfunc#${RELEASE}
  r1 = r6
  call kfunc#${RELEASE}
  r0 = r7
  exit
one:
  r1 = r6
  call kfunc#${RELEASE}
  r0 = -2
  exit
none:
  r0 = -1
  exit`;

describe('kfuncs - the kernel implements every kfunc of the table, by BTF id', () => {
  it('kfuncs - each kfunc of uapi KFUNCS has a FUNC in vmlinux and an implementation', () => {
    const { h } = world();
    for (const k of KFUNCS) expect(h.kernel.kfuncs.get(id(k.name, 'FUNC'))?.name).toBe(k.name);
  });
});

describe('kfuncs - task references', () => {
  it('kfuncs - bpf_task_from_pid + bpf_task_acquire read the task_struct of the world, and every reference taken is dropped', async () => {
    const { h, refs } = world();
    const task = refs.fromPid(4242);
    expect(refs.count(task)).toBe(2);
    refs.release(task);
    expect((await h.syscall(fromPidProgram(4242))).retval).toBe(4242);
    expect(refs.count(task)).toBe(1);
    expect((await h.syscall(fromPidProgram(777))).retval).toBe(-1 >>> 0);
  });

  it('kfuncs - a task that exits while referenced stays in memory (PF_EXITING, not found by pid) until the last reference goes', () => {
    const { refs, sim } = world();
    const task = refs.fromPid(4242);
    sim.syscall(4242, { syscall: 'exit', code: 0 });
    sim.world.syncObjects();
    expect(refs.fromPid(4242)).toBe(0);
    expect(refs.count(task)).toBe(1);
    expect(refs.acquire(task)).toBe(true);
    refs.release(task);
    refs.release(task);
    expect(refs.count(task)).toBe(0);
    expect(() => refs.release(task)).toThrow(/is not a task_struct/);
  });

  it('kfuncs - without a world no pid names a task: bpf_task_from_pid returns NULL', async () => {
    const h = kernelHarness({ verifier: realVerifier() });
    expect((await h.syscall(fromPidProgram(1))).retval).toBe(-1 >>> 0);
  });

  it('kfuncs - the verifier refuses a program that keeps a task reference on some path, and the kernel loads nothing', async () => {
    const { h } = world();
    const leak = `r1 = 4242\ncall kfunc#${FROM_PID}\nr0 = 0\nexit`;
    await expect(h.syscall(leak)).rejects.toMatchObject({ message: expect.stringMatching(/Unreleased reference id=2 alloc_insn=1/) });
  });

  it('kfuncs - a kfunc id the kernel does not have is refused by the verifier', async () => {
    const { h } = world();
    await expect(h.syscall(`call kfunc#${PID_OFF + 100000}\nr0 = 0\nexit`)).rejects.toMatchObject({ message: expect.stringMatching(/is not a function/) });
  });
});

describe('ksyms - per-CPU variables', () => {
  const perCpu = (cpu: number): string => `
  ld_pseudo r1, 3, ${PROG_ACTIVE}
  r2 = ${cpu}
  call ${HelperId.per_cpu_ptr}
  if r0 == 0 goto none
  r0 = *(u32 *)(r0 + 0)
  exit
none:
  r0 = -1
  exit`;

  it('ksyms - bpf_per_cpu_ptr reads each CPU its own copy of bpf_prog_active, NULL past the last CPU', async () => {
    const { h } = world();
    const vars = h.kernel.percpu;
    const view = new DataView(h.kernel.arena.bytes.buffer);
    const address = vars.addressOf(PROG_ACTIVE)!;
    view.setInt32(vars.onCpu(address, 1), 7, true);
    expect((await h.syscall(perCpu(0))).retval).toBe(0);
    expect((await h.syscall(perCpu(1))).retval).toBe(7);
    expect((await h.syscall(perCpu(h.kernel.cpus.length))).retval).toBe(-1 >>> 0);
  });

  it('ksyms - bpf_this_cpu_ptr is the running CPU copy', async () => {
    const { h } = world();
    const vars = h.kernel.percpu;
    new DataView(h.kernel.arena.bytes.buffer).setInt32(vars.onCpu(vars.addressOf(PROG_ACTIVE)!, 0), 5, true);
    const prog = `ld_pseudo r1, 3, ${PROG_ACTIVE}\ncall ${HelperId.this_cpu_ptr}\nr0 = *(u32 *)(r0 + 0)\nexit`;
    expect((await h.syscall(prog)).retval).toBe(5);
  });
});

describe('kptrs - bpf_kptr_xchg', () => {
  it('kptrs - bpf_kptr_xchg swaps the 8-byte field atomically and returns what was there', () => {
    const h = kernelHarness();
    const field = h.kernel.arena.alloc(16);
    const view = new DataView(h.kernel.arena.bytes.buffer);
    view.setBigUint64(field, 0xffff_8880_1234_5000n, true);
    const xchg = h.kernel.helpers.get(HelperId.kptr_xchg)!.fn;
    const env = {} as Parameters<typeof xchg>[1];
    expect(xchg([BigInt(field), 0x4242n, 0n, 0n, 0n], env)).toBe(0xffff_8880_1234_5000n);
    expect(view.getBigUint64(field, true)).toBe(0x4242n);
    expect(xchg([BigInt(field), 0n, 0n, 0n, 0n], env)).toBe(0x4242n);
    expect(view.getBigUint64(field, true)).toBe(0n);
  });
});
