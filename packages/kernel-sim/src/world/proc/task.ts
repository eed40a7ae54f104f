/**
 * Tasks (threads) and the table of them. A task has the identity the helpers report (pid, tgid,
 * ppid, uid, gid, comm, cgroup id), the CPU it runs on, its open files and sockets, and its
 * memory. Errors are BpfError with the errno the kernel would give.
 */
import { BpfError } from '@bpfhive/uapi';
import type { TaskSnapshot } from '../events.js';
import type { FiveTuple } from '../net/flow.js';
import type { KernelObjects, UserMemory } from '../ports.js';
import type { Endpoint } from './sockaddr.js';
import { TaskMemory } from './task-memory.js';

export const TASK_COMM_LEN = 16;
/** Normal priority (nice 0) as sched tracepoints print it. */
export const DEFAULT_PRIO = 120;

export interface FileDesc {
  readonly kind: 'file';
  readonly path: string;
  readonly flags: number;
  pos: number;
}

export interface SocketDesc {
  readonly kind: 'socket';
  /** AF_INET (2) or AF_INET6 (10). */
  readonly family: number;
  /** SOCK_STREAM (1) or SOCK_DGRAM (2). */
  readonly type: number;
  local?: { address: string; port: number };
  remote?: { address: string; port: number };
  listening: boolean;
  /** What reads return (queued by the scenario, or datagrams sent to this socket), consumed in order. */
  inbox: Received[];
}

/** Bytes waiting on a socket. */
export interface Received {
  readonly data: Uint8Array;
  /** The sender, as recvfrom reports it; absent: the socket's peer. */
  readonly from?: Endpoint;
}

export type Descriptor = FileDesc | SocketDesc;

export interface TaskSpec {
  readonly pid: number;
  /** Default: the pid (a process leader). */
  readonly tgid?: number;
  /** Default 1. */
  readonly ppid?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly comm: string;
  /** Default 1 (the root cgroup's id on cgroup v2). */
  readonly cgroupId?: bigint | number;
  /** Default pid mod cpus. */
  readonly cpu?: number;
  /** The executable (default `/usr/bin/<comm>`). */
  readonly exe?: string;
}

/** `comm` as the kernel stores it: at most 15 bytes. */
export function truncateComm(name: string): string {
  const bytes = new TextEncoder().encode(name);
  return bytes.length < TASK_COMM_LEN ? name : new TextDecoder().decode(bytes.subarray(0, TASK_COMM_LEN - 1));
}

export class Task {
  readonly fds = new Map<number, Descriptor>();
  readonly taskStruct: bigint;
  comm: string;
  exe: string;

  constructor(
    readonly pid: number,
    readonly tgid: number,
    readonly ppid: number,
    readonly uid: number,
    readonly gid: number,
    comm: string,
    readonly cgroupId: bigint,
    public cpu: number,
    exe: string,
    readonly memory: TaskMemory,
    objects: KernelObjects,
  ) {
    this.comm = truncateComm(comm);
    this.exe = exe;
    this.taskStruct = objects.address({ type: 'task_struct', pid, tgid, comm: this.comm });
    for (const fd of [0, 1, 2]) this.fds.set(fd, { kind: 'file', path: '/dev/null', flags: fd === 0 ? 0 : 1, pos: 0 });
  }

  snapshot(): TaskSnapshot {
    return { pid: this.pid, tgid: this.tgid, ppid: this.ppid, uid: this.uid, gid: this.gid, comm: this.comm, cgroupId: this.cgroupId, taskStruct: this.taskStruct };
  }

  /** The lowest free descriptor number (EMFILE past 1023). */
  allocFd(): number {
    for (let fd = 0; fd < 1024; fd++) if (!this.fds.has(fd)) return fd;
    throw new BpfError('EMFILE', `task ${this.pid}: too many open files`);
  }

  socketTuple(s: SocketDesc): FiveTuple | undefined {
    if (!s.local || !s.remote) return undefined;
    return { proto: s.type === 1 ? 6 : 17, src: s.local.address, dst: s.remote.address, sport: s.local.port, dport: s.remote.port };
  }
}

export class TaskTable {
  readonly #tasks = new Map<number, Task>();
  /** Pids made, ended or marked by `touch` since the last `takeChanged` (what an incremental sync of the kernel objects writes). */
  #changed = new Set<number>();

  constructor(
    readonly cpus: number,
    private readonly memory: UserMemory,
    private readonly objects: KernelObjects,
  ) {
    if (!Number.isInteger(cpus) || cpus < 1) throw new BpfError('EINVAL', `task table: ${cpus} CPUs`);
  }

  /** Adds a task; EEXIST when the pid is taken, EINVAL for a bad pid, CPU or identity. */
  create(spec: TaskSpec): Task {
    if (!Number.isInteger(spec.pid) || spec.pid < 1 || spec.pid > 4194304) throw new BpfError('EINVAL', `create task: pid ${spec.pid} outside 1..4194304`);
    if (this.#tasks.has(spec.pid)) throw new BpfError('EEXIST', `create task: pid ${spec.pid} exists`);
    const cpu = spec.cpu ?? spec.pid % this.cpus;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.cpus) throw new BpfError('EINVAL', `create task ${spec.pid}: cpu ${cpu} outside 0..${this.cpus - 1}`);
    for (const [k, v] of [['uid', spec.uid], ['gid', spec.gid], ['ppid', spec.ppid]] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) throw new BpfError('EINVAL', `create task ${spec.pid}: ${k} ${v}`);
    }
    if (!spec.comm) throw new BpfError('EINVAL', `create task ${spec.pid}: empty comm`);
    const task = new Task(
      spec.pid, spec.tgid ?? spec.pid, spec.ppid ?? 1, spec.uid ?? 0, spec.gid ?? 0, spec.comm, BigInt(spec.cgroupId ?? 1), cpu,
      spec.exe ?? `/usr/bin/${spec.comm}`, new TaskMemory(this.memory), this.objects,
    );
    this.#tasks.set(task.pid, task);
    this.#changed.add(task.pid);
    return task;
  }

  /** A live task; ESRCH when there is none. */
  get(pid: number): Task {
    const t = this.#tasks.get(pid);
    if (!t) throw new BpfError('ESRCH', `task ${pid}: no such process`);
    return t;
  }

  has(pid: number): boolean {
    return this.#tasks.has(pid);
  }

  /** Forgets an exited task and frees its memory. */
  remove(pid: number): void {
    this.#tasks.get(pid)?.memory.release();
    this.#tasks.delete(pid);
    this.#changed.add(pid);
  }

  /** Marks task `pid` as changed: its descriptors, file positions, credentials or name may differ from the kernel objects'. */
  touch(pid: number): void {
    this.#changed.add(pid);
  }

  /** The pids made, ended or touched since the last call; the set starts empty again. */
  takeChanged(): ReadonlySet<number> {
    const changed = this.#changed;
    this.#changed = new Set();
    return changed;
  }

  list(): Task[] {
    return [...this.#tasks.values()].sort((a, b) => a.pid - b.pid);
  }

  /** The threads of process `tgid`. */
  threadsOf(tgid: number): Task[] {
    return this.list().filter((t) => t.tgid === tgid);
  }

  /** The next free pid above every pid in use. */
  nextPid(): number {
    return Math.max(1, ...this.#tasks.keys()) + 1;
  }
}
