/**
 * The objects are read here the way a program reads them: pointer + the field's offset in the
 * kernel's BTF, through the arena's bytes (what bpf_probe_read_kernel copies), one
 * `BPF_CORE_READ` hop at a time. Nothing reads through KernelStructs, which wrote them.
 */
import { Arena } from '@bpfhive/maps-store';
import { describe, expect, it } from 'vitest';
import type { FuncEntryEvent, FuncExitEvent, HookEvent, TracepointEvent } from '../world/events.js';
import type { UserMemory } from '../world/ports.js';
import { Processes } from '../world/proc/processes.js';
import { CLONE_THREAD, SIGCHLD } from '../world/proc/syscall-request.js';
import type { SocketDesc } from '../world/proc/task.js';
import { BtfKernelObjects } from './kernel-objects.js';
import { structLayout } from './struct-layout.js';

const S_IFMT = 0o170000;
const PF_EXITING = 0x4;

function world() {
  const arena = new Arena();
  const objects = new BtfKernelObjects(arena);
  const memory: UserMemory = { alloc: (n) => arena.alloc(n), write: (a, b) => arena.bytes.set(b, a), free: (a, n) => arena.free(a, n) };
  const procs = new Processes({ cpus: 2, memory, objects });
  procs.spawn({ pid: 100, comm: 'bash', uid: 1000, gid: 1000, cgroupId: 7n, exe: '/bin/bash' });
  const view = (): DataView => new DataView(arena.bytes.buffer);
  /** The address of `struct`'s field `path` in the object at `ptr`. */
  const at = (ptr: number | bigint, struct: string, path: string): number => Number(ptr) + structLayout(struct).field(path).offset;
  const u64 = (a: number): bigint => view().getBigUint64(a, true);
  const mem = {
    u64,
    ptr: (a: number): number => Number(u64(a)),
    i32: (a: number): number => view().getInt32(a, true),
    u32: (a: number): number => view().getUint32(a, true),
    u16: (a: number): number => view().getUint16(a, true),
    bytes: (a: number, n: number): number[] => [...arena.bytes.subarray(a, a + n)],
    str: (a: number): string => {
      const end = arena.bytes.indexOf(0, a);
      return Buffer.from(arena.bytes.subarray(a, end)).toString('utf8');
    },
  };
  /** BPF_CORE_READ(ptr, path…): a pointer field read at each hop. */
  const deref = (ptr: number | bigint, struct: string, path: string): number => mem.ptr(at(ptr, struct, path));
  const task = (pid: number): number => Number(procs.tasks.get(pid).taskStruct);
  const sync = (): void => objects.sync(procs.tasks.list(), procs.vfs);
  return { arena, objects, procs, at, deref, mem, task, sync };
}

const entry = (events: readonly HookEvent[], func: string): FuncEntryEvent => events.find((e): e is FuncEntryEvent => e.kind === 'func_entry' && e.func === func)!;
const exit = (events: readonly HookEvent[], func: string): FuncExitEvent => events.find((e): e is FuncExitEvent => e.kind === 'func_exit' && e.func === func)!;
const tp = (events: readonly HookEvent[], name: string): TracepointEvent => events.find((e): e is TracepointEvent => e.kind === 'tracepoint' && e.name === name)!;

describe('kernel objects - tasks', () => {
  it('kernel objects - a task_struct per task, and BPF_CORE_READ(task, real_parent, tgid) is the parent', () => {
    const w = world();
    w.procs.syscall(0, 100, { syscall: 'fork', child: 101 });
    w.procs.syscall(1000, 101, { syscall: 'execve', path: '/usr/bin/curl' });
    w.sync();
    const child = w.task(101);
    expect([w.mem.i32(w.at(child, 'task_struct', 'pid')), w.mem.i32(w.at(child, 'task_struct', 'tgid'))]).toEqual([101, 101]);
    expect(w.mem.str(w.at(child, 'task_struct', 'comm'))).toBe('curl');
    const parent = w.deref(child, 'task_struct', 'real_parent');
    expect(parent).toBe(w.task(100));
    expect(w.mem.i32(w.at(parent, 'task_struct', 'tgid'))).toBe(100);
    expect(w.deref(child, 'task_struct', 'parent')).toBe(parent);
    expect(w.deref(child, 'task_struct', 'group_leader')).toBe(child);
    // bash's parent (ppid 1) is not in the world: a stand-in with its pid, whose parent is swapper/0.
    const standIn = w.deref(parent, 'task_struct', 'real_parent');
    expect(w.mem.i32(w.at(standIn, 'task_struct', 'tgid'))).toBe(1);
    const swapper = w.deref(standIn, 'task_struct', 'real_parent');
    expect([w.mem.i32(w.at(swapper, 'task_struct', 'pid')), w.mem.str(w.at(swapper, 'task_struct', 'comm'))]).toEqual([0, 'swapper/0']);
    expect(w.deref(swapper, 'task_struct', 'real_parent')).toBe(swapper);
  });

  it('kernel objects - a thread shares its leader mm and signal_struct and names the leader', () => {
    const w = world();
    w.procs.syscall(0, 100, { syscall: 'clone', flags: CLONE_THREAD, child: 102 });
    w.sync();
    const thread = w.task(102);
    const leader = w.task(100);
    expect(w.mem.i32(w.at(thread, 'task_struct', 'tgid'))).toBe(100);
    expect(w.deref(thread, 'task_struct', 'group_leader')).toBe(leader);
    expect(w.deref(thread, 'task_struct', 'mm')).toBe(w.deref(leader, 'task_struct', 'mm'));
    expect(w.mem.i32(w.at(w.deref(thread, 'task_struct', 'signal'), 'signal_struct', 'nr_threads'))).toBe(2);
    expect(w.mem.i32(w.at(thread, 'task_struct', 'exit_signal'))).toBe(-1);
    expect(w.mem.i32(w.at(leader, 'task_struct', 'exit_signal'))).toBe(SIGCHLD);
  });

  it('kernel objects - cred, struct pid, namespaces and cgroup', () => {
    const w = world();
    w.procs.spawn({ pid: 200, comm: 'sshd', uid: 0 });
    w.sync();
    const t = w.task(100);
    const cred = w.deref(t, 'task_struct', 'cred');
    expect(w.deref(t, 'task_struct', 'real_cred')).toBe(cred);
    expect([w.mem.u32(w.at(cred, 'cred', 'uid.val')), w.mem.u32(w.at(cred, 'cred', 'euid.val')), w.mem.u32(w.at(cred, 'cred', 'gid.val'))]).toEqual([1000, 1000, 1000]);
    expect(w.mem.u64(w.at(cred, 'cred', 'cap_effective.val'))).toBe(0n);
    expect(w.mem.u64(w.at(w.deref(w.task(200), 'task_struct', 'cred'), 'cred', 'cap_effective.val'))).toBe((1n << 41n) - 1n);

    const pid = w.deref(t, 'task_struct', 'thread_pid');
    const nsproxy = w.deref(t, 'task_struct', 'nsproxy');
    expect(w.mem.i32(w.at(pid, 'pid', 'numbers[0].nr'))).toBe(100);
    expect(w.deref(pid, 'pid', 'numbers[0].ns')).toBe(w.deref(nsproxy, 'nsproxy', 'pid_ns_for_children'));
    expect(w.mem.u32(w.at(w.deref(nsproxy, 'nsproxy', 'pid_ns_for_children'), 'pid_namespace', 'ns.inum'))).toBe(0xeffffffc);
    expect(w.mem.u32(w.at(w.deref(nsproxy, 'nsproxy', 'mnt_ns'), 'mnt_namespace', 'ns.inum'))).toBe(0xf0000001);
    expect(w.mem.str(w.at(w.deref(nsproxy, 'nsproxy', 'uts_ns'), 'uts_namespace', 'name.nodename'))).toBe('bpfhive');

    const cgroup = w.deref(w.deref(t, 'task_struct', 'cgroups'), 'css_set', 'dfl_cgrp');
    const kn = w.deref(cgroup, 'cgroup', 'kn');
    expect([w.mem.u64(w.at(kn, 'kernfs_node', 'id')), w.mem.str(w.deref(kn, 'kernfs_node', 'name'))]).toEqual([7n, '7']);
    expect(w.mem.u64(w.at(w.deref(kn, 'kernfs_node', '__parent'), 'kernfs_node', 'id'))).toBe(1n);
  });

  it('kernel objects - mm holds argv between arg_start and arg_end, and exe_file names the executable', () => {
    const w = world();
    w.sync();
    const mm = w.deref(w.task(100), 'task_struct', 'mm');
    const args = (): number[] => w.mem.bytes(w.deref(mm, 'mm_struct', 'arg_start'), w.deref(mm, 'mm_struct', 'arg_end') - w.deref(mm, 'mm_struct', 'arg_start'));
    expect(Buffer.from(args()).toString()).toBe('/bin/bash\0');
    // A world that keeps argv (TaskView.argv) has all of it there.
    const bash = w.procs.tasks.get(100);
    w.objects.sync([{ pid: 100, tgid: 100, ppid: 1, uid: 1000, gid: 1000, comm: 'bash', exe: '/bin/bash', cgroupId: 7n, fds: bash.fds, argv: ['bash', '-c', 'id'] }]);
    expect(Buffer.from(args()).toString()).toBe('bash\0-c\0id\0');
    const exe = w.deref(mm, 'mm_struct', 'exe_file');
    expect(w.mem.str(w.deref(w.deref(exe, 'file', 'f_path.dentry'), 'dentry', 'd_name.name'))).toBe('bash');
  });

  it('kernel objects - a task that is gone is marked exiting at the next sync and its memory given back', () => {
    const w = world();
    w.procs.syscall(0, 100, { syscall: 'fork', child: 101 });
    w.sync();
    const child = w.task(101);
    const before = w.arena.allocated;
    const out = w.procs.syscall(1000, 101, { syscall: 'exit', code: 3 });
    expect(tp(out.events, 'sched_process_exit').rawArgs![0]).toBe(BigInt(child));
    w.sync();
    expect(w.objects.taskStruct(101)).toBeUndefined();
    expect(w.arena.allocated).toBeLessThan(before);
    // Still readable until the arena's grace period: the exit events' programs see a dying task.
    expect(w.mem.u32(w.at(child, 'task_struct', 'flags')) & PF_EXITING).toBe(PF_EXITING);
    expect(w.mem.i32(w.at(child, 'task_struct', 'pid'))).toBe(101);
  });
});

describe('kernel objects - tasks that come and go', () => {
  it('kernel objects - a task born and gone between two syncs leaves nothing behind', () => {
    const w = world();
    const lifetime = (child: number): void => {
      w.procs.syscall(0, 100, { syscall: 'fork', child });
      w.procs.syscall(1000, child, { syscall: 'openat', path: '/etc/hosts' });
      w.procs.syscall(2000, child, { syscall: 'read', fd: 3 });
      w.procs.syscall(3000, child, { syscall: 'exit' });
      w.sync();
    };
    lifetime(101);
    const before = w.arena.allocated;
    lifetime(102);
    expect(w.objects.taskStruct(102)).toBeUndefined();
    expect(w.arena.allocated).toBe(before);
  });
});

describe('kernel objects - files', () => {
  it('kernel objects - the fdtable leads to the file, whose dentry chain spells the path up to /', () => {
    const w = world();
    expect(w.procs.syscall(0, 100, { syscall: 'openat', path: '/etc/passwd', flags: 'O_RDONLY|O_CLOEXEC' }).ret).toBe(3);
    const read = w.procs.syscall(1000, 100, { syscall: 'read', fd: 3, count: 5 });
    w.sync();
    const fdt = w.deref(w.deref(w.task(100), 'task_struct', 'files'), 'files_struct', 'fdt');
    expect(w.mem.u32(w.at(fdt, 'fdtable', 'max_fds'))).toBe(64);
    const file = w.mem.ptr(w.deref(fdt, 'fdtable', 'fd') + 3 * 8);
    expect(entry(read.events, 'vfs_read').args[0]).toBe(BigInt(file));
    expect(entry(read.events, 'vfs_read').args[3]).toBe(BigInt(w.at(file, 'file', 'f_pos')));
    expect(w.mem.u64(w.at(file, 'file', 'f_pos'))).toBe(5n);
    expect(w.mem.u32(w.at(file, 'file', 'f_flags'))).toBe(0o2000000);
    expect(w.mem.u32(w.at(file, 'file', 'f_mode')) & 3).toBe(1);
    expect(w.mem.bytes(w.deref(fdt, 'fdtable', 'open_fds'), 1)[0]! & 0b1111).toBe(0b1111);
    expect(w.mem.bytes(w.deref(fdt, 'fdtable', 'close_on_exec'), 1)[0]).toBe(0b1000);

    const dentry = w.deref(file, 'file', 'f_path.dentry');
    const name = (d: number): string => w.mem.str(w.deref(d, 'dentry', 'd_name.name'));
    expect([name(dentry), w.mem.u32(w.at(dentry, 'dentry', 'd_name.len'))]).toEqual(['passwd', 6]);
    const etc = w.deref(dentry, 'dentry', 'd_parent');
    const root = w.deref(etc, 'dentry', 'd_parent');
    expect([name(etc), name(root)]).toEqual(['etc', '/']);
    expect(w.deref(root, 'dentry', 'd_parent')).toBe(root);
    expect(w.deref(w.deref(file, 'file', 'f_path.mnt'), 'vfsmount', 'mnt_root')).toBe(root);

    const inode = w.deref(file, 'file', 'f_inode');
    expect(w.deref(dentry, 'dentry', 'd_inode')).toBe(inode);
    expect(w.mem.u16(w.at(inode, 'inode', 'i_mode')) & S_IFMT).toBe(0o100000);
    expect(w.mem.u16(w.at(w.deref(etc, 'dentry', 'd_inode'), 'inode', 'i_mode')) & S_IFMT).toBe(0o040000);
    expect(w.mem.u64(w.at(inode, 'inode', 'i_size'))).toBe(BigInt(w.procs.vfs.size('/etc/passwd')));
    expect(w.mem.u64(w.at(w.deref(inode, 'inode', 'i_sb'), 'super_block', 's_magic'))).toBe(0xef53n);
  });

  it('kernel objects - past 64 descriptors the fdtable moves out of files_struct and grows to 1024', () => {
    const w = world();
    for (let i = 0; i < 67; i++) w.procs.syscall(i, 100, { syscall: 'openat', path: `/tmp/f${i}`, flags: 'O_CREAT|O_WRONLY' });
    w.sync();
    const files = w.deref(w.task(100), 'task_struct', 'files');
    const fdt = w.deref(files, 'files_struct', 'fdt');
    expect(w.mem.u32(w.at(fdt, 'fdtable', 'max_fds'))).toBe(1024);
    expect(w.deref(fdt, 'fdtable', 'fd')).not.toBe(w.at(files, 'files_struct', 'fd_array'));
    const file = w.mem.ptr(w.deref(fdt, 'fdtable', 'fd') + 69 * 8);
    expect(w.mem.str(w.deref(w.deref(file, 'file', 'f_path.dentry'), 'dentry', 'd_name.name'))).toBe('f66');
    expect(w.mem.bytes(w.deref(fdt, 'fdtable', 'open_fds') + 8, 1)[0]! & 0b100000).toBe(0b100000);
    expect(w.mem.u32(w.at(files, 'files_struct', 'next_fd'))).toBe(70);
  });

  it('kernel objects - /dev/null on fd 0 is the character device 1:3', () => {
    const w = world();
    w.sync();
    const fdt = w.deref(w.deref(w.task(100), 'task_struct', 'files'), 'files_struct', 'fdt');
    const inode = w.deref(w.mem.ptr(w.deref(fdt, 'fdtable', 'fd')), 'file', 'f_inode');
    expect(w.mem.u16(w.at(inode, 'inode', 'i_mode')) & S_IFMT).toBe(0o020000);
    expect(w.mem.u32(w.at(inode, 'inode', 'i_rdev'))).toBe((1 << 20) | 3);
  });

  it('kernel objects - filp_close gets the open file; after the next sync the slot is empty', () => {
    const w = world();
    w.procs.syscall(0, 100, { syscall: 'openat', path: '/etc/hosts' });
    w.sync();
    const fdArray = w.deref(w.deref(w.deref(w.task(100), 'task_struct', 'files'), 'files_struct', 'fdt'), 'fdtable', 'fd');
    const file = w.mem.ptr(fdArray + 3 * 8);
    const out = w.procs.syscall(1000, 100, { syscall: 'close', fd: 3 });
    expect(entry(out.events, 'filp_close').args[0]).toBe(BigInt(file));
    expect(entry(out.events, 'filp_close').args[1]).toBe(BigInt(w.deref(w.task(100), 'task_struct', 'files')));
    w.sync();
    expect(w.mem.ptr(fdArray + 3 * 8)).toBe(0);
  });
});

describe('kernel objects - within one batch (no sync between system calls)', () => {
  it('kernel objects - a child forked, exec\'d, connected and gone before any sync still reads its parent and addresses', () => {
    const w = world();
    w.procs.syscall(0, 100, { syscall: 'fork', child: 101 });
    const exec = w.procs.syscall(1000, 101, { syscall: 'execve', path: '/usr/bin/curl' });
    w.procs.syscall(2000, 101, { syscall: 'socket' });
    const conn = w.procs.syscall(3000, 101, { syscall: 'connect', fd: 3, addr: '93.184.216.34:443' });
    w.procs.syscall(4000, 101, { syscall: 'exit' });
    // What the programs of the batch's events read when the hooks fire after all of it.
    const child = Number(tp(exec.events, 'sched_process_exec').task.taskStruct);
    expect(w.mem.i32(w.at(w.deref(child, 'task_struct', 'real_parent'), 'task_struct', 'tgid'))).toBe(100);
    const sk = Number(entry(conn.events, 'tcp_v4_connect').args[0]);
    const c = (path: string): number => w.at(sk, 'sock', `__sk_common.${path}`);
    expect(w.mem.bytes(c('skc_daddr'), 4)).toEqual([93, 184, 216, 34]);
    expect(w.mem.bytes(c('skc_rcv_saddr'), 4)).toEqual([10, 0, 0, 1]);
    expect(w.mem.bytes(c('skc_dport'), 2)).toEqual([0x01, 0xbb]);
  });
});

describe('kernel objects - sockets', () => {
  it('kernel objects - tcp_v4_connect sk holds addresses and ports as Linux stores them', () => {
    const w = world();
    w.procs.syscall(0, 100, { syscall: 'socket' });
    const out = w.procs.syscall(1000, 100, { syscall: 'connect', fd: 3, addr: '93.184.216.34:443' });
    w.sync();
    const sk = Number(entry(out.events, 'tcp_v4_connect').args[0]);
    const local = (w.procs.tasks.get(100).fds.get(3) as SocketDesc).local!;
    const c = (path: string): number => w.at(sk, 'sock', `__sk_common.${path}`);
    expect(w.mem.u16(c('skc_family'))).toBe(2);
    expect(w.mem.bytes(c('skc_daddr'), 4)).toEqual([93, 184, 216, 34]);
    expect(w.mem.bytes(c('skc_rcv_saddr'), 4)).toEqual([10, 0, 0, 1]);
    expect(w.mem.bytes(c('skc_dport'), 2)).toEqual([0x01, 0xbb]);
    expect(w.mem.u16(c('skc_num'))).toBe(local.port);
    expect(w.mem.bytes(w.at(sk, 'inet_sock', 'inet_sport'), 2)).toEqual([local.port >> 8, local.port & 0xff]);
    expect(w.mem.bytes(c('skc_state'), 1)).toEqual([1]);
    expect([w.mem.u16(w.at(sk, 'sock', 'sk_protocol')), w.mem.u16(w.at(sk, 'sock', 'sk_type'))]).toEqual([6, 1]);
    expect(w.mem.u32(w.at(sk, 'sock', 'sk_uid.val'))).toBe(1000);

    // The descriptor's file leads to the same sock: file->private_data is the struct socket.
    const fdArray = w.deref(w.deref(w.deref(w.task(100), 'task_struct', 'files'), 'files_struct', 'fdt'), 'fdtable', 'fd');
    const file = w.mem.ptr(fdArray + 3 * 8);
    const socket = w.deref(file, 'file', 'private_data');
    expect(w.deref(socket, 'socket', 'sk')).toBe(sk);
    expect(w.deref(socket, 'socket', 'file')).toBe(file);
    expect(w.deref(sk, 'sock', 'sk_socket')).toBe(socket);
    expect(w.mem.u16(w.at(w.deref(file, 'file', 'f_inode'), 'inode', 'i_mode')) & S_IFMT).toBe(0o140000);
    expect(w.mem.str(w.deref(w.deref(file, 'file', 'f_path.dentry'), 'dentry', 'd_name.name'))).toBe('TCP');
  });

  it('kernel objects - an IPv6 socket keeps its addresses in skc_v6_daddr and skc_v6_rcv_saddr', () => {
    const w = world();
    w.procs.syscall(0, 100, { syscall: 'socket', family: 'inet6' });
    const out = w.procs.syscall(1000, 100, { syscall: 'connect', fd: 3, addr: '[fd00::2]:8080' });
    w.sync();
    const sk = Number(entry(out.events, 'tcp_v6_connect').args[0]);
    expect(w.mem.u16(w.at(sk, 'sock_common', 'skc_family'))).toBe(10);
    expect(w.mem.bytes(w.at(sk, 'sock_common', 'skc_v6_daddr'), 16)).toEqual([0xfd, ...new Array<number>(14).fill(0), 2]);
    expect(w.mem.bytes(w.at(sk, 'sock_common', 'skc_v6_rcv_saddr'), 16)).toEqual([0xfd, ...new Array<number>(14).fill(0), 1]);
    expect(w.mem.bytes(w.at(sk, 'sock_common', 'skc_dport'), 2)).toEqual([0x1f, 0x90]);
  });

  it('kernel objects - inet_csk_accept returns the new connection; the listener is in TCP_LISTEN', () => {
    const w = world();
    w.procs.syscall(0, 100, { syscall: 'socket' });
    w.procs.syscall(10, 100, { syscall: 'bind', fd: 3, addr: '0.0.0.0:80' });
    w.procs.syscall(20, 100, { syscall: 'listen', fd: 3 });
    const out = w.procs.syscall(30, 100, { syscall: 'accept', fd: 3, peer: '10.0.0.9:5555' });
    w.sync();
    const listener = Number(entry(out.events, 'inet_csk_accept').args[0]);
    const conn = Number(exit(out.events, 'inet_csk_accept').ret);
    expect(w.mem.bytes(w.at(listener, 'sock_common', 'skc_state'), 1)).toEqual([10]);
    expect(w.mem.u16(w.at(listener, 'sock_common', 'skc_num'))).toBe(80);
    expect(w.mem.bytes(w.at(conn, 'sock_common', 'skc_daddr'), 4)).toEqual([10, 0, 0, 9]);
    expect(w.mem.bytes(w.at(conn, 'sock_common', 'skc_dport'), 2)).toEqual([0x15, 0xb3]);
    expect(w.mem.u16(w.at(conn, 'sock_common', 'skc_num'))).toBe(80);
  });
});

describe('kernel objects - arguments of the process life cycle', () => {
  it('kernel objects - bprm_execve gets a linux_binprm and a struct filename naming the program', () => {
    const w = world();
    const out = w.procs.syscall(0, 100, { syscall: 'execve', path: '/usr/bin/curl' });
    w.sync();
    const [bprm, , filename] = entry(out.events, 'bprm_execve').args.map(Number);
    expect(w.mem.str(w.deref(bprm!, 'linux_binprm', 'filename'))).toBe('/usr/bin/curl');
    expect(w.mem.str(w.deref(w.deref(w.deref(bprm!, 'linux_binprm', 'file'), 'file', 'f_path.dentry'), 'dentry', 'd_name.name'))).toBe('curl');
    expect(w.deref(bprm!, 'linux_binprm', 'cred')).toBe(w.deref(w.task(100), 'task_struct', 'cred'));
    expect(w.mem.str(w.deref(filename!, 'filename', 'name'))).toBe('/usr/bin/curl');
    expect(tp(out.events, 'sched_process_exec').rawArgs).toEqual([BigInt(w.task(100)), 100n, BigInt(bprm!)]);
  });

  it('kernel objects - kernel_clone gets its flags and kill_something_info the signal', () => {
    const w = world();
    const clone = w.procs.syscall(0, 100, { syscall: 'fork', child: 101 });
    const args = Number(entry(clone.events, 'kernel_clone').args[0]);
    expect([w.mem.u64(w.at(args, 'kernel_clone_args', 'flags')), w.mem.i32(w.at(args, 'kernel_clone_args', 'exit_signal'))]).toEqual([17n, 17]);
    const kill = w.procs.syscall(1000, 100, { syscall: 'kill', target: 101, signal: 'SIGUSR1' });
    const info = Number(entry(kill.events, 'kill_something_info').args[1]);
    expect(w.mem.i32(w.at(info, 'kernel_siginfo', 'si_signo'))).toBe(10);
  });

  it('kernel objects - the same object named twice has one address', () => {
    const w = world();
    const a = w.objects.address({ type: 'file', pid: 100, fd: 7, path: '/etc/hosts' });
    expect(w.objects.address({ type: 'file', pid: 100, fd: 7, path: '/etc/hosts' })).toBe(a);
    expect(w.objects.address({ type: 'task_struct', pid: 100, tgid: 100, comm: 'bash' })).toBe(BigInt(w.task(100)));
  });
});
