import { describe, expect, it } from 'vitest';
import type { FuncEntryEvent, FuncExitEvent, HookEvent, TracepointEvent } from '../events.js';
import { ArrayUserMemory } from './array-memory.js';
import { OpaqueKernelObjects } from './kernel-objects.js';
import { Processes } from './processes.js';
import { decodeRegs } from './pt-regs.js';
import { decodeSockaddr } from './sockaddr.js';
import { decodeField } from './trace-layout.js';
import { RAW_SYS_ENTER, SCHED_PROCESS_EXEC, SCHED_PROCESS_EXIT, SCHED_PROCESS_FORK, SCHED_SWITCH, SYSCALL_ENTER, SYSCALL_EXIT } from './tracepoints.js';

function world() {
  const memory = new ArrayUserMemory();
  const objects = new OpaqueKernelObjects();
  const procs = new Processes({ cpus: 4, memory, objects });
  procs.spawn({ pid: 100, comm: 'nginx', uid: 33, gid: 33, cgroupId: 7n, cpu: 1 });
  return { memory, procs, objects };
}

/** `raw_syscalls:sys_enter`, `kprobe:do_sys_openat2`, `kretprobe:do_sys_openat2` … */
const names = (events: readonly HookEvent[]): string[] =>
  events.map((e) => (e.kind === 'tracepoint' ? `${e.category}:${e.name}` : `${e.kind === 'func_entry' ? 'kprobe' : 'kretprobe'}:${e.func}`));
const tp = (events: readonly HookEvent[], name: string): TracepointEvent => events.find((e): e is TracepointEvent => e.kind === 'tracepoint' && e.name === name)!;
const entry = (events: readonly HookEvent[], func: string): FuncEntryEvent => events.find((e): e is FuncEntryEvent => e.kind === 'func_entry' && e.func === func)!;
const exit = (events: readonly HookEvent[], func: string): FuncExitEvent => events.find((e): e is FuncExitEvent => e.kind === 'func_exit' && e.func === func)!;

describe('proc syscalls - openat', () => {
  it('fires the events Linux fires, in order, on the task CPU, with increasing times', () => {
    const { procs } = world();
    const out = procs.syscall(10_000_000, 100, { syscall: 'openat', path: '/etc/shadow' });
    expect(out.ret).toBe(3);
    expect(names(out.events)).toEqual([
      'sched:sched_switch',
      'raw_syscalls:sys_enter',
      'syscalls:sys_enter_openat',
      'kprobe:__x64_sys_openat',
      'kprobe:do_sys_openat2',
      'kretprobe:do_sys_openat2',
      'kretprobe:__x64_sys_openat',
      'syscalls:sys_exit_openat',
      'raw_syscalls:sys_exit',
    ]);
    expect(out.events.every((e) => e.cpu === 1)).toBe(true);
    const times = out.events.map((e) => e.time);
    expect(times[0]).toBe(10_000_000);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    expect(out.events[1]!.task).toMatchObject({ pid: 100, tgid: 100, uid: 33, gid: 33, comm: 'nginx', cgroupId: 7n });
  });

  it('the filename pointer in the record, the kprobe regs and the user regs all lead to the string', () => {
    const { procs, memory } = world();
    const out = procs.syscall(0, 100, { syscall: 'openat', path: '/etc/shadow', flags: 'O_RDONLY|O_CLOEXEC' });
    const rec = tp(out.events, 'sys_enter_openat').record;
    const ptr = decodeField(SYSCALL_ENTER.openat, rec, 'filename') as bigint;
    expect(memory.readString(Number(ptr))).toBe('/etc/shadow');
    expect(decodeField(SYSCALL_ENTER.openat, rec, 'dfd')).toBe(BigInt.asUintN(64, -100n));
    expect(decodeField(SYSCALL_ENTER.openat, rec, 'flags')).toBe(0o2000000n);
    expect(decodeField(SYSCALL_ENTER.openat, rec, '__syscall_nr')).toBe(257n);
    const inner = decodeRegs(entry(out.events, 'do_sys_openat2').regs);
    expect(inner.si).toBe(ptr);
    expect(entry(out.events, 'do_sys_openat2').args[1]).toBe(ptr);
    // __x64_sys_openat(const struct pt_regs *regs): di points at the saved user registers.
    const wrapper = decodeRegs(entry(out.events, '__x64_sys_openat').regs);
    const user = decodeRegs(memory.read(Number(wrapper.di), 168));
    expect(user.si).toBe(ptr);
    expect(user.orig_ax).toBe(257n);
    expect(user.ax).toBe(3n);
    const raw = tp(out.events, 'sys_enter');
    expect(raw.rawArgs).toEqual([wrapper.di, 257n]);
    expect(decodeField(RAW_SYS_ENTER, raw.record, 'id')).toBe(257n);
  });

  it('kretprobe regs hold the return value in ax; a missing file gives -ENOENT', () => {
    const { procs } = world();
    const out = procs.syscall(0, 100, { syscall: 'openat', path: '/nope' });
    expect(out.ret).toBe(-2);
    const ret = exit(out.events, 'do_sys_openat2');
    expect(ret.ret).toBe(BigInt.asUintN(64, -2n));
    expect(decodeRegs(ret.regs).ax).toBe(BigInt.asUintN(64, -2n));
    expect(decodeField(SYSCALL_EXIT.openat, tp(out.events, 'sys_exit_openat').record, 'ret')).toBe(-2n);
  });
});

describe('proc syscalls - files', () => {
  it('read copies file bytes into the user buffer through ksys_read and vfs_read', () => {
    const { procs, memory } = world();
    const fd = procs.syscall(0, 100, { syscall: 'openat', path: '/etc/hosts' }).ret!;
    const out = procs.syscall(1000, 100, { syscall: 'read', fd, count: 100 });
    expect(out.ret).toBe(20);
    expect(names(out.events).filter((n) => n.startsWith('kprobe'))).toEqual(['kprobe:__x64_sys_read', 'kprobe:ksys_read', 'kprobe:vfs_read']);
    const buf = entry(out.events, 'vfs_read').args[1]!;
    expect(new TextDecoder().decode(memory.read(Number(buf), 20))).toBe('127.0.0.1 localhost\n');
    expect(procs.syscall(2000, 100, { syscall: 'read', fd, count: 100 }).ret).toBe(0);
  });

  it('write, close and bad descriptors', () => {
    const { procs } = world();
    const fd = procs.syscall(0, 100, { syscall: 'openat', path: '/tmp/log', flags: 'O_WRONLY|O_CREAT' }).ret!;
    expect(procs.syscall(0, 100, { syscall: 'write', fd, data: 'hello' }).ret).toBe(5);
    expect(new TextDecoder().decode(procs.vfs.read('/tmp/log', 0, 99))).toBe('hello');
    const closed = procs.syscall(0, 100, { syscall: 'close', fd });
    expect(closed.ret).toBe(0);
    expect(names(closed.events)).toContain('kprobe:filp_close');
    const bad = procs.syscall(0, 100, { syscall: 'close', fd });
    expect(bad.ret).toBe(-9);
    expect(names(bad.events)).not.toContain('kprobe:filp_close');
    expect(procs.syscall(0, 100, { syscall: 'read', fd: 55 }).ret).toBe(-9);
  });
});

describe('proc syscalls - sockets', () => {
  it('connect passes through tcp_v4_connect with the kernel copy of sockaddr_in', () => {
    const { procs, memory } = world();
    const fd = procs.syscall(0, 100, { syscall: 'socket' }).ret!;
    const out = procs.syscall(0, 100, { syscall: 'connect', fd, addr: '93.184.216.34:443' });
    expect(out.ret).toBe(0);
    expect(names(out.events).filter((n) => n.startsWith('kprobe'))).toEqual(['kprobe:__x64_sys_connect', 'kprobe:__sys_connect', 'kprobe:tcp_v4_connect']);
    const regs = decodeRegs(entry(out.events, 'tcp_v4_connect').regs);
    expect(decodeSockaddr(memory.read(Number(regs.si), 16))).toEqual({ family: 4, address: '93.184.216.34', port: 443 });
    expect(regs.dx).toBe(16n);
    expect(regs.di).toBeGreaterThan(0xffff000000000000n);
    expect(procs.syscall(0, 100, { syscall: 'connect', fd: 0, addr: '1.2.3.4:80' }).ret).toBe(-88); // ENOTSOCK
  });

  it('accept on a listening socket returns a new fd; inet_csk_accept returns the new sock', () => {
    const { procs, memory } = world();
    const fd = procs.syscall(0, 100, { syscall: 'socket' }).ret!;
    expect(procs.syscall(0, 100, { syscall: 'bind', fd, addr: '0.0.0.0:80' }).ret).toBe(0);
    expect(procs.syscall(0, 100, { syscall: 'accept', fd }).ret).toBe(-22);
    expect(procs.syscall(0, 100, { syscall: 'listen', fd }).ret).toBe(0);
    const out = procs.syscall(0, 100, { syscall: 'accept', fd, peer: '10.0.0.9:51000' });
    expect(out.ret).toBe(fd + 1);
    const sk = exit(out.events, 'inet_csk_accept');
    expect(sk.ret).toBeGreaterThan(0xffff000000000000n);
    const addrBuf = tp(out.events, 'sys_enter_accept');
    const upeer = decodeField(SYSCALL_ENTER.accept, addrBuf.record, 'upeer_sockaddr') as bigint;
    expect(decodeSockaddr(memory.read(Number(upeer), 16))).toEqual({ family: 4, address: '10.0.0.9', port: 51000 });
  });
});

describe('proc syscalls - process life cycle', () => {
  it('execve changes comm and fires sched_process_exec inside bprm_execve', () => {
    const { procs, memory } = world();
    const out = procs.syscall(0, 100, { syscall: 'execve', path: '/usr/bin/curl', argv: ['curl', 'http://example.com'] });
    expect(out.ret).toBe(0);
    const n = names(out.events);
    expect(n.indexOf('sched:sched_process_exec')).toBeGreaterThan(n.indexOf('kprobe:bprm_execve'));
    expect(n.indexOf('sched:sched_process_exec')).toBeLessThan(n.indexOf('kretprobe:bprm_execve'));
    const exec = tp(out.events, 'sched_process_exec');
    expect(decodeField(SCHED_PROCESS_EXEC, exec.record, 'filename')).toBe('/usr/bin/curl');
    expect(exec.task.comm).toBe('curl');
    expect(tp(out.events, 'sys_enter_execve').task.comm).toBe('nginx');
    const argv = Number(decodeField(SYSCALL_ENTER.execve, tp(out.events, 'sys_enter_execve').record, 'argv'));
    expect(memory.readString(Number(memory.readU64(argv + 8)))).toBe('http://example.com');
    expect(memory.readU64(argv + 16)).toBe(0n);
    expect(procs.syscall(0, 100, { syscall: 'execve', path: '/no/such' }).ret).toBe(-2);
  });

  it('fork: the parent gets the child pid, sched_process_fork fires, the child returns 0 on its CPU', () => {
    const { procs } = world();
    const out = procs.syscall(0, 100, { syscall: 'fork' });
    expect(out.ret).toBe(101);
    const fork = tp(out.events, 'sched_process_fork');
    expect(decodeField(SCHED_PROCESS_FORK, fork.record, 'child_pid')).toBe(101n);
    expect(decodeField(SCHED_PROCESS_FORK, fork.record, 'parent_comm')).toBe('nginx');
    const exits = out.events.filter((e): e is TracepointEvent => e.kind === 'tracepoint' && e.name === 'sys_exit_clone');
    expect(exits.map((e) => [e.task.pid, decodeField(SYSCALL_EXIT.clone, e.record, 'ret'), e.cpu])).toEqual([[100, 101n, 1], [101, 0n, 2]]);
    expect(names(out.events)).toContain('kprobe:wake_up_new_task');
    expect(procs.tasks.get(101)).toMatchObject({ ppid: 100, tgid: 101, uid: 33, comm: 'nginx' });
    const thread = procs.syscall(0, 100, { syscall: 'clone', flags: 0x10000 | 0x100 | 0x800 | 0x400 | 0x200, child: 200 });
    expect(thread.ret).toBe(200);
    expect(procs.tasks.get(200).tgid).toBe(100);
  });

  it('exit: do_exit, sched_process_exit, sched_switch to idle, no sys_exit; the task is gone', () => {
    const { procs, objects } = world();
    const taskStruct = procs.tasks.get(100).taskStruct;
    const out = procs.syscall(0, 100, { syscall: 'exit', code: 3 });
    expect(out.ret).toBeUndefined();
    expect(names(out.events).slice(-4)).toEqual(['kprobe:__x64_sys_exit', 'kprobe:do_exit', 'sched:sched_process_exit', 'sched:sched_switch']);
    expect(entry(out.events, 'do_exit').args[0]).toBe(0x300n);
    expect(decodeField(SCHED_PROCESS_EXIT, tp(out.events, 'sched_process_exit').record, 'pid')).toBe(100n);
    const sw = out.events.filter((e): e is TracepointEvent => e.kind === 'tracepoint' && e.name === 'sched_switch').at(-1)!;
    expect(decodeField(SCHED_SWITCH, sw.record, 'prev_state')).toBe(0x20n);
    expect(decodeField(SCHED_SWITCH, sw.record, 'next_comm')).toBe('swapper/1');
    expect(decodeField(SCHED_SWITCH, sw.record, 'next_pid')).toBe(0n);
    // next is the CPU's idle task, a task_struct of its own: never NULL, as in Linux.
    expect(sw.rawArgs).toEqual([0n, taskStruct, objects.idleTask(1), 0x20n]);
    expect(procs.tasks.has(100)).toBe(false);
    expect(() => procs.syscall(0, 100, { syscall: 'close', fd: 0 })).toThrow(/no such process/);
  });

  it('kill with a fatal signal makes the target die after the killer returns; errors otherwise', () => {
    const { procs } = world();
    procs.spawn({ pid: 300, comm: 'victim', uid: 33, cpu: 2 });
    procs.spawn({ pid: 301, comm: 'other', uid: 0, cpu: 3 });
    expect(procs.syscall(0, 100, { syscall: 'kill', target: 301 }).ret).toBe(-1); // EPERM
    expect(procs.syscall(0, 100, { syscall: 'kill', target: 999 }).ret).toBe(-3); // ESRCH
    const out = procs.syscall(0, 100, { syscall: 'kill', target: 300, signal: 'SIGKILL' });
    expect(out.ret).toBe(0);
    const n = names(out.events);
    expect(n.indexOf('sched:sched_process_exit')).toBeGreaterThan(n.indexOf('raw_syscalls:sys_exit'));
    expect(tp(out.events, 'sched_process_exit').cpu).toBe(2);
    expect(entry(out.events, 'do_exit').args[0]).toBe(9n);
    expect(procs.tasks.has(300)).toBe(false);
    expect(procs.syscall(0, 100, { syscall: 'kill', target: 301, signal: 0 }).ret).toBe(-1);
  });

  it('sched_switch fires only when the CPU last ran another task', () => {
    const { procs, objects } = world();
    procs.spawn({ pid: 500, comm: 'worker', cpu: 1 });
    const a = procs.syscall(0, 100, { syscall: 'close', fd: 99 });
    const b = procs.syscall(0, 100, { syscall: 'close', fd: 99 });
    const c = procs.syscall(0, 500, { syscall: 'close', fd: 99 });
    expect(names(a.events)[0]).toBe('sched:sched_switch');
    expect(names(b.events)[0]).toBe('raw_syscalls:sys_enter');
    const sw = tp(c.events, 'sched_switch');
    expect([decodeField(SCHED_SWITCH, sw.record, 'prev_pid'), decodeField(SCHED_SWITCH, sw.record, 'next_pid'), decodeField(SCHED_SWITCH, sw.record, 'prev_state')]).toEqual([100n, 500n, 1n]);
    expect(sw.rawArgs).toEqual([0n, procs.tasks.get(100).taskStruct, procs.tasks.get(500).taskStruct, 1n]);
    // The first switch on CPU 1 is from its idle task (prev_state TASK_RUNNING).
    expect(tp(a.events, 'sched_switch').rawArgs).toEqual([0n, objects.idleTask(1), procs.tasks.get(100).taskStruct, 0n]);
  });
});
