/**
 * The idle tasks (swapper/N): Linux never passes NULL to sched_switch; a CPU that goes idle
 * switches to its idle task, pid 0, whose task_struct a program reads like any other. Read here
 * the way a program reads it: pointer + the field's offset in the kernel's BTF.
 */
import { Arena } from '@bpfhive/maps-store';
import { describe, expect, it } from 'vitest';
import type { HookEvent, TracepointEvent } from '../world/events.js';
import type { UserMemory } from '../world/ports.js';
import { Processes } from '../world/proc/processes.js';
import { decodeField } from '../world/proc/trace-layout.js';
import { SCHED_SWITCH } from '../world/proc/tracepoints.js';
import { BtfKernelObjects } from './kernel-objects.js';
import { structLayout } from './struct-layout.js';

/** PF_IDLE | PF_KTHREAD. */
const IDLE_FLAGS = 0x00200002;

function world() {
  const arena = new Arena();
  const objects = new BtfKernelObjects(arena);
  const memory: UserMemory = { alloc: (n) => arena.alloc(n), write: (a, b) => arena.bytes.set(b, a), free: (a, n) => arena.free(a, n) };
  const procs = new Processes({ cpus: 4, memory, objects });
  const view = (): DataView => new DataView(arena.bytes.buffer);
  const at = (ptr: number | bigint, path: string): number => Number(ptr) + structLayout('task_struct').field(path).offset;
  const task = (ptr: number | bigint) => ({
    pid: view().getInt32(at(ptr, 'pid'), true),
    tgid: view().getInt32(at(ptr, 'tgid'), true),
    comm: Buffer.from(arena.bytes.subarray(at(ptr, 'comm'), arena.bytes.indexOf(0, at(ptr, 'comm')))).toString('latin1'),
    flags: view().getUint32(at(ptr, 'flags'), true),
    realParent: view().getBigUint64(at(ptr, 'real_parent'), true),
    cred: view().getBigUint64(at(ptr, 'cred'), true),
  });
  return { objects, procs, task };
}

const switches = (events: readonly HookEvent[]): TracepointEvent[] =>
  events.filter((e): e is TracepointEvent => e.kind === 'tracepoint' && e.name === 'sched_switch');

describe('idle tasks', () => {
  it('idle tasks - sched_switch from an exiting task gives next = the CPU idle task: pid 0, comm swapper/<cpu>', () => {
    const { objects, procs, task } = world();
    procs.spawn({ pid: 100, comm: 'worker', cpu: 2 });
    const out = procs.syscall(0, 100, { syscall: 'exit', code: 0 });
    const sw = switches(out.events).at(-1)!;
    const next = sw.rawArgs![2]!;
    expect(next).not.toBe(0n);
    expect(next).toBe(objects.idleTask(2));
    expect(task(next)).toEqual({
      pid: 0, tgid: 0, comm: 'swapper/2', flags: IDLE_FLAGS,
      realParent: BigInt(objects.roots.initTask), cred: BigInt(objects.roots.initCred),
    });
    expect([decodeField(SCHED_SWITCH, sw.record, 'next_pid'), decodeField(SCHED_SWITCH, sw.record, 'next_comm')]).toEqual([0n, 'swapper/2']);
  });

  it('idle tasks - a task that runs on an idle CPU switches from its idle task (prev), never NULL', () => {
    const { objects, procs, task } = world();
    procs.spawn({ pid: 100, comm: 'first', cpu: 3 });
    procs.spawn({ pid: 101, comm: 'second', cpu: 3 });
    const first = switches(procs.syscall(0, 100, { syscall: 'close', fd: 9 }).events)[0]!;
    expect(first.rawArgs![1]).toBe(objects.idleTask(3));
    procs.syscall(10, 100, { syscall: 'exit', code: 0 });
    // The task that exited left CPU 3 to swapper/3: the next task switches in from it.
    const second = switches(procs.syscall(20, 101, { syscall: 'close', fd: 9 }).events)[0]!;
    expect(second.rawArgs![1]).toBe(objects.idleTask(3));
    expect(task(second.rawArgs![1]!)).toMatchObject({ pid: 0, comm: 'swapper/3' });
    expect(decodeField(SCHED_SWITCH, second.record, 'prev_comm')).toBe('swapper/3');
  });

  it('idle tasks - CPU 0 idles in init_task; every other CPU has a swapper of its own, kept across syncs', () => {
    const { objects, procs, task } = world();
    expect(objects.idleTask(0)).toBe(BigInt(objects.roots.initTask));
    expect(task(objects.idleTask(0))).toMatchObject({ pid: 0, comm: 'swapper/0' });
    const idle = [1, 2, 3].map((cpu) => objects.idleTask(cpu));
    expect(new Set([objects.idleTask(0), ...idle]).size).toBe(4);
    expect([1, 2, 3].map((cpu) => objects.idleTask(cpu))).toEqual(idle);
    procs.spawn({ pid: 100, comm: 'bash', cpu: 1 });
    procs.syscall(0, 100, { syscall: 'exit', code: 0 });
    objects.sync(procs.tasks.list(), procs.vfs);
    expect(idle.map((t) => task(t).comm)).toEqual(['swapper/1', 'swapper/2', 'swapper/3']);
  });
});
