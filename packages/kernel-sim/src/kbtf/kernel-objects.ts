/**
 * The world's KernelObjects port with real objects behind the addresses: every task_struct,
 * file, sock, linux_binprm… the world names is a struct laid out by the kernel's BTF in kernel
 * memory (the arena), filled from the world's state, so that a program's
 * `BPF_CORE_READ(task, real_parent, tgid)` or `BPF_CORE_READ(sk, __sk_common.skc_dport)` reads
 * through bpf_probe_read_kernel what Linux would have there.
 *
 * Two calls keep them current:
 * - `address(obj)` (the world, while it makes a system call): finds or makes the object and writes
 *   what `obj` tells (a task's pid, tgid and comm; a file's path; a socket's addresses);
 * - `sync(tasks, vfs, changed)` (the world, after each system call that makes, changes or ends
 *   tasks or descriptors; and the kernel-sim core, before it runs the programs of a batch of
 *   events): writes everything else from the world's tasks (those `changed` names, and what
 *   they affect) — credentials, parents, argv, open files and
 *   sockets, namespaces, cgroups — and frees the objects of tasks and descriptors that are gone.
 *   A task or socket made and ended inside one batch is thus complete before it goes; freed
 *   objects stay readable until the arena's next grace period (after the batch), so the programs
 *   of the batch's events still read them.
 *
 * A parent the world never created (the default ppid 1) gets a stand-in task_struct with its
 * pid, whose parent is init_task (swapper/0).
 */
import { TaskRefCounts, type TaskRefs } from './task-refs.js';
import type { Btf } from '@bpfhive/uapi';
import type { KernelObject, KernelObjects } from '../world/ports.js';
import { CgroupObjects } from './cgroup-objects.js';
import type { KernelHeap } from './heap.js';
import { kernelBtf } from './kernel-btf.js';
import { type KernelRoots, type KernelRootsOptions, bootIdleTask, bootKernelRoots } from './kernel-roots.js';
import { type KernelBlock, KernelStructs } from './kernel-structs.js';
import { AF_INET, SocketObjects, type SocketState } from './sock-objects.js';
import { TaskObjects, type TaskView } from './task-objects.js';
import { VfsObjects } from './vfs-objects.js';

/** Sizes of files, for their inodes (the world's Vfs has this shape). */
export interface FileSizes {
  size(path: string): number;
}

/** A task's objects, and those the world names by the task and something else. */
interface TaskEntry {
  readonly objects: TaskObjects;
  /** A stand-in for a parent the world does not have: kept, since no sync will name it. */
  standIn: boolean;
  /** The thread group last written (that of an ended task tells whose thread counts change). */
  tgid: number;
  /** fd → its struct file. */
  readonly files: Map<number, FileEntry>;
  /** fd → the socket behind it. */
  readonly sockets: Map<number, SocketObjects>;
  /** linux_binprm, filename, kernel_clone_args, kernel_siginfo by identity (`binprm:/usr/bin/curl`). */
  readonly owned: Map<string, KernelBlock[]>;
}

interface FileEntry {
  readonly block: KernelBlock;
  path: string;
}

const CSIGNAL = 0xff;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const O_RDONLY = 0;
const O_RDWR = 2;

export class BtfKernelObjects implements KernelObjects {
  readonly structs: KernelStructs;
  readonly roots: KernelRoots;
  readonly vfs: VfsObjects;
  readonly #cgroups: CgroupObjects;
  readonly #tasks = new Map<number, TaskEntry>();
  readonly #refs = new TaskRefCounts((pid) => {
    const entry = this.#tasks.get(pid);
    return entry && !entry.standIn ? entry.objects : undefined;
  }, () => [...this.#tasks.values()].map((e) => e.objects));
  /** Executable path → its struct file (shared, like the page cache's). */
  readonly #exeFiles = new Map<string, number>();
  /** CPU → its idle task (swapper/N), made on first use; CPU 0's is init_task. */
  readonly #idleTasks = new Map<number, number>();

  constructor(heap: KernelHeap, options: KernelRootsOptions = {}, btf: Btf = kernelBtf()) {
    this.structs = new KernelStructs(heap, btf);
    this.roots = bootKernelRoots(this.structs, options);
    this.vfs = new VfsObjects(this.structs);
    this.#cgroups = new CgroupObjects(this.structs);
  }

  address(obj: KernelObject): bigint {
    return BigInt(this.#address(obj));
  }

  idleTask(cpu: number): bigint {
    if (cpu === 0) return BigInt(this.roots.initTask);
    let idle = this.#idleTasks.get(cpu);
    if (idle === undefined) this.#idleTasks.set(cpu, (idle = bootIdleTask(this.structs, this.roots, cpu)));
    return BigInt(idle);
  }

  /** The task_struct of `pid` if the kernel has one (0 is init_task). */
  taskStruct(pid: number): number | undefined {
    return pid === 0 ? this.roots.initTask : this.#tasks.get(pid)?.objects.task.address;
  }

  /**
   * Writes the tasks' objects from the world's `tasks` and frees those of tasks and descriptors
   * that are gone. With `changed` (the pids made, ended or calling since the last sync), only
   * what those can have changed is written: their own objects, their thread groups' (the thread
   * count), and their children's when they ended (the child's real_parent becomes a stand-in);
   * the result is what a full sync would write. Without it, every task.
   */
  sync(tasks: Iterable<TaskView>, sizes?: FileSizes, changed?: ReadonlySet<number>): void {
    const views = new Map<number, TaskView>();
    const threads = new Map<number, number>();
    for (const view of tasks) {
      views.set(view.pid, view);
      threads.set(view.tgid, (threads.get(view.tgid) ?? 0) + 1);
    }
    const gone = this.#gone(views, changed);
    const selected = changed ? this.#affected(views, changed, gone) : [...views.values()];
    // The gone first, so that a child of one is written with a stand-in parent, not a freed one.
    for (const pid of gone) this.#forgetTask(pid, this.#tasks.get(pid)!);
    for (const view of selected) {
      const entry = this.#task(view.pid);
      entry.standIn = false;
      entry.tgid = view.tgid;
      this.#syncDescriptors(view, entry, sizes);
    }
    for (const view of selected) this.#writeTask(view, views, threads.get(view.tgid)!);
  }

  /** Pids of the world's tasks that are gone (among `changed` when given): their objects are freed. */
  #gone(views: ReadonlyMap<number, TaskView>, changed: ReadonlySet<number> | undefined): number[] {
    const gone: number[] = [];
    for (const pid of changed ?? this.#tasks.keys()) {
      const entry = this.#tasks.get(pid);
      if (entry && !entry.standIn && !views.has(pid)) gone.push(pid);
    }
    return gone;
  }

  /** The tasks an incremental sync writes: the changed, every thread of their groups, and the children of the gone. */
  #affected(views: ReadonlyMap<number, TaskView>, changed: ReadonlySet<number>, gone: readonly number[]): TaskView[] {
    const groups = new Set<number>();
    for (const pid of changed) {
      const tgid = views.get(pid)?.tgid ?? this.#tasks.get(pid)?.tgid;
      if (tgid !== undefined) groups.add(tgid);
    }
    const orphaned = new Set(gone);
    const selected: TaskView[] = [];
    for (const view of views.values()) {
      if (changed.has(view.pid) || groups.has(view.tgid) || orphaned.has(view.ppid)) selected.push(view);
    }
    return selected;
  }

  #address(obj: KernelObject): number {
    switch (obj.type) {
      case 'task_struct': {
        const t = this.#task(obj.pid).objects;
        t.writeIdentity(obj.pid, obj.tgid, obj.comm);
        return t.task.address;
      }
      case 'files_struct':
        return this.#task(obj.pid).objects.files.address;
      case 'file':
        return this.#file(obj.pid, obj.fd, obj.path).block.address;
      case 'loff_t': {
        // A descriptor the world has named no file for yet gets one at /, until sync writes it.
        const file = this.#task(obj.pid).files.get(obj.fd) ?? this.#file(obj.pid, obj.fd, '/');
        return this.structs.addressOf(file.block.address, 'file', 'f_pos');
      }
      case 'sock': {
        // Without a tuple the world knows no more than sync will write: keep what is there.
        const known = obj.tuple ? undefined : this.#task(obj.pid).sockets.get(obj.fd);
        if (known) return known.sock;
        const proto = obj.tuple?.proto;
        const state: SocketState = {
          family: obj.family,
          type: proto === 17 ? SOCK_DGRAM : SOCK_STREAM,
          ...(obj.tuple ? { local: { address: obj.tuple.src, port: obj.tuple.sport }, remote: { address: obj.tuple.dst, port: obj.tuple.dport } } : {}),
        };
        return this.#socket(obj.pid, obj.fd, state).sock;
      }
      case 'linux_binprm':
        return this.#owned(obj.pid, `binprm:${obj.path}`, () => this.#binprm(obj.pid, obj.path));
      case 'filename':
        return this.#owned(obj.pid, `filename:${obj.path}`, () => {
          const name = this.structs.string(obj.path);
          return [this.structs.create('filename', { name: name.address, 'refcnt.counter': 1 }), name];
        });
      case 'kernel_clone_args': {
        const at = this.#owned(obj.pid, 'clone', () => [this.structs.alloc('kernel_clone_args')]);
        this.structs.write(at, 'kernel_clone_args', { flags: obj.flags, exit_signal: Number(obj.flags & BigInt(CSIGNAL)) });
        return at;
      }
      case 'kernel_siginfo': {
        const at = this.#owned(obj.pid, 'siginfo', () => [this.structs.alloc('kernel_siginfo')]);
        this.structs.write(at, 'kernel_siginfo', { si_signo: obj.sig, si_errno: 0, si_code: 0 });
        return at;
      }
    }
  }

  /** The objects of task `pid`, made when new (a task the world names, or with `standIn` a parent it does not have). */
  #task(pid: number, standIn = false): TaskEntry {
    let entry = this.#tasks.get(pid);
    if (!entry) {
      entry = { objects: new TaskObjects(this.structs), standIn, tgid: pid, files: new Map(), sockets: new Map(), owned: new Map() };
      entry.objects.writeIdentity(pid, pid, '');
      this.#tasks.set(pid, entry);
    }
    return entry;
  }

  #writeTask(view: TaskView, views: ReadonlyMap<number, TaskView>, threads: number): void {
    const entry = this.#task(view.pid);
    const self = entry.objects;
    const leader = views.has(view.tgid) ? this.#task(view.tgid).objects : self;
    const files = new Map([...entry.files].map(([fd, f]) => [fd, f.block.address]));
    self.write(view, {
      realParent: this.#parentOf(view.ppid, views),
      groupLeader: leader.task.address,
      mm: leader.mm.address,
      signal: leader.signal.address,
      nsproxy: this.roots.nsproxy,
      pidNs: this.roots.pidNs,
      userNs: this.roots.userNs,
      cssSet: this.#cgroups.cssSet(view.cgroupId),
      rootMount: this.vfs.rootMount,
      rootDentry: this.vfs.rootDentry,
      exeFile: this.#exeFile(view.exe),
      files,
      threads,
    });
  }

  /** The task_struct of `ppid`: the kernel's task, init_task for 0, else a new stand-in whose parent is init_task. */
  #parentOf(ppid: number, views: ReadonlyMap<number, TaskView>): number {
    if (ppid === 0) return this.roots.initTask;
    const known = this.#tasks.get(ppid);
    if (known) return known.objects.task.address;
    const standIn = this.#task(ppid, true);
    this.#writeTask(emptyTask(ppid), views, 1);
    return standIn.objects.task.address;
  }

  /** Files and sockets of `view`'s descriptors written; those of closed descriptors freed. */
  #syncDescriptors(view: TaskView, entry: TaskEntry, sizes: FileSizes | undefined): void {
    const cred = entry.objects.cred.address;
    for (const [fd, d] of view.fds) {
      if (d.kind === 'file') {
        const file = this.#file(view.pid, fd, d.path);
        this.vfs.writeFile(file.block.address, { path: d.path, flags: d.flags, pos: d.pos, cred, ...(sizes ? { size: sizes.size(d.path) } : {}) });
      } else {
        const state: SocketState = { family: d.family, type: d.type, listening: d.listening, uid: view.uid, ...(d.local ? { local: d.local } : {}), ...(d.remote ? { remote: d.remote } : {}) };
        const socket = this.#socket(view.pid, fd, state);
        const file = this.#file(view.pid, fd, `socket:[${fd}]`);
        this.vfs.writeFile(file.block.address, { path: socket.dentry, flags: O_RDWR, pos: 0, cred, socket: socket.socket });
        this.structs.write(socket.socket, 'socket', { file: file.block.address });
      }
    }
    for (const [fd, file] of entry.files) {
      if (view.fds.has(fd)) continue;
      this.structs.free(file.block);
      entry.files.delete(fd);
    }
    for (const [fd, socket] of entry.sockets) {
      if (view.fds.get(fd)?.kind === 'socket') continue;
      socket.release();
      entry.sockets.delete(fd);
    }
  }

  /** The struct file of descriptor `fd` of `pid`, made on first use and rewritten when its path changes. */
  #file(pid: number, fd: number, path: string): FileEntry {
    const task = this.#task(pid);
    let entry = task.files.get(fd);
    if (!entry) {
      entry = { block: this.structs.alloc('file'), path: '' };
      task.files.set(fd, entry);
    }
    if (entry.path !== path) {
      entry.path = path;
      // A socket the world has named no sock for yet: an IPv4 stream until sync says otherwise.
      const socket = path.startsWith('socket:') ? (task.sockets.get(fd) ?? this.#socket(pid, fd, { family: AF_INET, type: SOCK_STREAM })) : undefined;
      const cred = task.objects.cred.address;
      this.vfs.writeFile(entry.block.address, socket ? { path: socket.dentry, flags: O_RDWR, pos: 0, cred, socket: socket.socket } : { path, flags: O_RDONLY, pos: 0, cred });
    }
    return entry;
  }

  #socket(pid: number, fd: number, state: SocketState): SocketObjects {
    const task = this.#task(pid);
    let socket = task.sockets.get(fd);
    if (!socket) {
      socket = new SocketObjects(this.structs, this.vfs, state, this.#netNs());
      task.sockets.set(fd, socket);
    }
    socket.write(state, task.files.get(fd)?.block.address ?? 0);
    return socket;
  }

  #netNs(): number {
    return this.structs.pointer(this.roots.nsproxy, 'nsproxy', 'net_ns');
  }

  /** The struct file of executable `path`, opened read-only once for every task running it. */
  #exeFile(path: string): number {
    if (path === '') return 0;
    let file = this.#exeFiles.get(path);
    if (file === undefined) {
      file = this.structs.alloc('file').address;
      this.vfs.writeFile(file, { path, flags: O_RDONLY, pos: 0, cred: this.roots.initCred });
      this.#exeFiles.set(path, file);
    }
    return file;
  }

  #binprm(pid: number, path: string): KernelBlock[] {
    const task = this.#tasks.get(pid)?.objects;
    const name = this.structs.string(path);
    const file = this.#exeFile(path);
    const bprm = this.structs.create('linux_binprm', {
      filename: name.address, interp: name.address, file, executable: file,
      mm: task?.mm.address ?? 0, cred: task?.cred.address ?? this.roots.initCred,
    });
    return [bprm, name];
  }

  /** The first block of the objects task `pid` owns under `key`, made by `make` when new. */
  #owned(pid: number, key: string, make: () => KernelBlock[]): number {
    const owned = this.#task(pid).owned;
    let blocks = owned.get(key);
    if (!blocks) owned.set(key, (blocks = make()));
    return blocks[0]!.address;
  }

  #forgetTask(pid: number, entry: TaskEntry): void {
    this.#syncDescriptors(emptyTask(pid), entry, undefined);
    for (const blocks of entry.owned.values()) for (const b of blocks) this.structs.free(b);
    entry.objects.markExiting();
    this.#tasks.delete(pid);
    this.#refs.put(entry.objects);
  }

  /** The task kfuncs' references (task-refs.ts): bpf_task_from_pid, bpf_task_acquire, bpf_task_release. */
  get taskRefs(): TaskRefs {
    return this.#refs;
  }
}

/** A task with nothing but its pid: how a stand-in parent, or a task that is gone, is written. */
function emptyTask(pid: number): TaskView {
  return { pid, tgid: pid, ppid: 0, uid: 0, gid: 0, comm: '', exe: '', cgroupId: 1n, fds: new Map() };
}
