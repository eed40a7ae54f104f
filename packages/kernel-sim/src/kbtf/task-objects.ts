/**
 * A task as kernel objects: its `task_struct` and what hangs off it — credentials (`cred`), its
 * `struct pid`, address space (`mm_struct`, with arg_start..arg_end holding its argv), `fs_struct`
 * (root and cwd), open files (`files_struct` with its fdtable and open_fds bitmap) and
 * `signal_struct`. The task's links to other tasks and to the kernel's shared objects come from
 * the caller (TaskLinks), which knows the other tasks.
 */
import type { Descriptor } from '../world/proc/task.js';
import { credValues } from './kernel-roots.js';
import type { KernelBlock, KernelStructs } from './kernel-structs.js';
import { EXIT_DEAD, NICE_0_PRIO, PF_EXITING } from './linux-constants.js';

/** What the world knows about a task; the world's Task has all of it (`argv` once it keeps one). */
export interface TaskView {
  readonly pid: number;
  readonly tgid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly gid: number;
  readonly comm: string;
  /** The executable's path. */
  readonly exe: string;
  readonly cgroupId: bigint;
  readonly fds: ReadonlyMap<number, Descriptor>;
  /** The arguments of its last execve; `[exe]` when not known. */
  readonly argv?: readonly string[];
}

/** Where a task's pointers to other objects go. */
export interface TaskLinks {
  readonly realParent: number;
  readonly groupLeader: number;
  /** The mm and signal_struct of its thread group (the leader's). */
  readonly mm: number;
  readonly signal: number;
  readonly nsproxy: number;
  readonly pidNs: number;
  readonly userNs: number;
  readonly cssSet: number;
  readonly rootMount: number;
  readonly rootDentry: number;
  /** The `struct file` of its executable. */
  readonly exeFile: number;
  /** The `struct file` of each open descriptor. */
  readonly files: ReadonlyMap<number, number>;
  /** Threads in its group (signal_struct.nr_threads). */
  readonly threads: number;
}

/** fds the files_struct holds inline (NR_OPEN_DEFAULT); more move to an external table of MAX_FDS. */
const NR_OPEN_DEFAULT = 64;
const MAX_FDS = 1024;
const O_CLOEXEC = 0o2000000;
const SIGCHLD = 17;
/** AUDIT_UID_UNSET / AUDIT_SID_UNSET: no login session is modelled. */
const AUDIT_UNSET = 0xffffffff;
/** TASK_SIZE_MAX with 4-level paging. */
const TASK_SIZE = 0x7ffffffff000n;
const encoder = new TextEncoder();

export class TaskObjects {
  readonly task: KernelBlock;
  readonly cred: KernelBlock;
  readonly pid: KernelBlock;
  readonly mm: KernelBlock;
  readonly fs: KernelBlock;
  readonly files: KernelBlock;
  readonly signal: KernelBlock;
  #args: { block: KernelBlock; text: string } | undefined;
  /** fd pointers, open_fds and close_on_exec bitmaps for up to MAX_FDS, once a task needs them. */
  #bigTable: KernelBlock | undefined;

  constructor(private readonly structs: KernelStructs) {
    this.task = structs.alloc('task_struct');
    this.cred = structs.alloc('cred');
    this.pid = structs.alloc('pid', structs.sizeOf('upid'));
    this.mm = structs.alloc('mm_struct');
    this.fs = structs.alloc('fs_struct');
    this.files = structs.alloc('files_struct');
    this.signal = structs.alloc('signal_struct');
    const t = this.task.address;
    const self = (path: string): number => structs.addressOf(t, 'task_struct', path);
    structs.write(t, 'task_struct', {
      prio: NICE_0_PRIO, static_prio: NICE_0_PRIO, normal_prio: NICE_0_PRIO,
      'children.next': self('children'), 'children.prev': self('children'),
      'sibling.next': self('sibling'), 'sibling.prev': self('sibling'),
      'thread_node.next': self('thread_node'), 'thread_node.prev': self('thread_node'),
      thread_pid: this.pid.address, real_cred: this.cred.address, cred: this.cred.address,
      fs: this.fs.address, files: this.files.address,
      'loginuid.val': AUDIT_UNSET, sessionid: AUDIT_UNSET,
      // The world's own reference; bpf_task_acquire / bpf_task_from_pid take more (task-refs.ts).
      'usage.refs.counter': 1,
    });
    structs.write(this.pid.address, 'pid', { 'count.refs.counter': 1, level: 0 });
    structs.write(this.mm.address, 'mm_struct', { 'mm_users.counter': 1, 'mm_count.counter': 1, task_size: TASK_SIZE, owner: t });
    structs.write(this.fs.address, 'fs_struct', { users: 1, umask: 0o022 });
    structs.write(this.files.address, 'files_struct', { 'count.counter': 1, 'fdtab.max_fds': NR_OPEN_DEFAULT });
  }

  /** What the world tells about a task as it creates it. */
  writeIdentity(pid: number, tgid: number, comm: string): void {
    this.structs.write(this.task.address, 'task_struct', { pid, tgid, comm });
    this.structs.write(this.pid.address, 'pid', { 'numbers[0].nr': pid });
  }

  /** Brings every object up to date with `view`. */
  write(view: TaskView, links: TaskLinks): void {
    const s = this.structs;
    this.writeIdentity(view.pid, view.tgid, view.comm);
    s.write(this.task.address, 'task_struct', {
      real_parent: links.realParent, parent: links.realParent, group_leader: links.groupLeader,
      mm: links.mm, active_mm: links.mm, signal: links.signal, nsproxy: links.nsproxy, cgroups: links.cssSet,
      exit_signal: view.pid === view.tgid ? SIGCHLD : -1,
    });
    s.write(this.pid.address, 'pid', { 'numbers[0].ns': links.pidNs });
    s.write(this.cred.address, 'cred', credValues(view.uid, view.gid, links.userNs));
    s.write(this.signal.address, 'signal_struct', { nr_threads: links.threads });
    s.write(this.fs.address, 'fs_struct', {
      'root.mnt': links.rootMount, 'root.dentry': links.rootDentry, 'pwd.mnt': links.rootMount, 'pwd.dentry': links.rootDentry,
    });
    this.#writeArgs(view.argv ?? [view.exe], links.exeFile);
    this.#writeFds(view.fds, links.files);
  }

  /** Marks the task as going away (PF_EXITING, EXIT_DEAD) before its memory is given back. */
  markExiting(): void {
    const flags = this.structs.read(this.task.address, 'task_struct', 'flags') as bigint;
    this.structs.write(this.task.address, 'task_struct', { flags: flags | BigInt(PF_EXITING), exit_state: EXIT_DEAD });
  }

  /** task_struct.usage: references held on the task (its world's, and those of programs and kptrs). */
  get usage(): number {
    return Number(this.structs.read(this.task.address, 'task_struct', 'usage.refs.counter'));
  }

  set usage(n: number) {
    this.structs.write(this.task.address, 'task_struct', { 'usage.refs.counter': n });
  }

  release(): void {
    for (const b of [this.task, this.cred, this.pid, this.mm, this.fs, this.files, this.signal, this.#args?.block, this.#bigTable]) {
      if (b) this.structs.free(b);
    }
  }

  /** argv as one block of NUL-terminated strings between arg_start and arg_end, as execve leaves it on the stack. */
  #writeArgs(argv: readonly string[], exeFile: number): void {
    const text = argv.map((a) => `${a}\0`).join('');
    if (this.#args?.text !== text) {
      if (this.#args) this.structs.free(this.#args.block);
      // string() adds one more NUL: the empty environment after the arguments.
      this.#args = { block: this.structs.string(text), text };
    }
    const start = this.#args.block.address;
    const end = start + encoder.encode(text).length;
    this.structs.write(this.mm.address, 'mm_struct', { arg_start: start, arg_end: end, env_start: end, env_end: end, exe_file: exeFile });
  }

  /** The fdtable: file pointers, open_fds and close_on_exec bits, next_fd. */
  #writeFds(fds: ReadonlyMap<number, Descriptor>, files: ReadonlyMap<number, number>): void {
    const s = this.structs;
    const f = this.files.address;
    const highest = Math.max(-1, ...fds.keys());
    if (highest >= NR_OPEN_DEFAULT && !this.#bigTable) {
      const size = MAX_FDS * 8 + 2 * (MAX_FDS / 8);
      this.#bigTable = { address: s.heap.alloc(size), size };
    }
    const max = this.#bigTable ? MAX_FDS : NR_OPEN_DEFAULT;
    const fdArray = this.#bigTable ? this.#bigTable.address : s.addressOf(f, 'files_struct', 'fd_array');
    const openFds = this.#bigTable ? fdArray + MAX_FDS * 8 : s.addressOf(f, 'files_struct', 'open_fds_init');
    const cloexec = this.#bigTable ? openFds + MAX_FDS / 8 : s.addressOf(f, 'files_struct', 'close_on_exec_init');
    const bytes = s.heap.bytes;
    bytes.fill(0, fdArray, fdArray + max * 8);
    bytes.fill(0, openFds, openFds + max / 8);
    bytes.fill(0, cloexec, cloexec + max / 8);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const [fd, d] of fds) {
      if (fd >= max) continue;
      view.setBigUint64(fdArray + fd * 8, BigInt(files.get(fd) ?? 0), true);
      bytes[openFds + (fd >> 3)]! |= 1 << (fd & 7);
      if (d.kind === 'file' && d.flags & O_CLOEXEC) bytes[cloexec + (fd >> 3)]! |= 1 << (fd & 7);
    }
    let next = 0;
    while (fds.has(next)) next++;
    s.write(f, 'files_struct', {
      fdt: s.addressOf(f, 'files_struct', 'fdtab'), next_fd: next,
      'fdtab.max_fds': max, 'fdtab.fd': fdArray, 'fdtab.open_fds': openFds, 'fdtab.close_on_exec': cloexec,
    });
  }
}
