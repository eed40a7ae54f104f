/**
 * The process side of the world: tasks, a file system, which task each CPU runs, and system
 * calls that return the hook events Linux would fire for them, in order, with virtual times.
 *
 * For every call: [sched_switch], raw_syscalls:sys_enter, syscalls:sys_enter_<name>,
 * __x64_sys_<name> entry, the kernel functions it passes through (entries, any sched
 * tracepoints, returns), __x64_sys_<name> return, syscalls:sys_exit_<name>, raw_syscalls:sys_exit.
 * Each event names the CPU of its task.
 */
import { BpfError } from '@bpfhive/uapi';
import type { HookEvent } from '../events.js';
import { ALLOW_SOCK_ADDR, type KernelObjects, type SockAddrHook, type UserMemory } from '../ports.js';
import { OpaqueKernelObjects } from './kernel-objects.js';
import { Scheduler } from './scheduler.js';
import { type Endpoint, endpoint, formatEndpoint } from './sockaddr.js';
import { sysClose, sysOpenat, sysRead, sysWrite } from './sys-files.js';
import { sysRecvfrom, sysSendto } from './sys-dgram.js';
import { sysAccept, sysBind, sysConnect, sysListen, sysSocket } from './sys-net.js';
import { sysClone, sysExecve, sysExit, sysKill } from './sys-proc.js';
import type { SysContext } from './sys-context.js';
import { SIGCHLD, type SyscallRequest } from './syscall-request.js';
import { TaskTable, type Task, type TaskSpec } from './task.js';
import { EventTrace } from './trace.js';
import { Vfs } from './vfs.js';

/**
 * System calls that make, end or rename no task or descriptor: the kernel objects need no sync
 * after them (the per-batch sync brings file positions up to date).
 */
const CONTENTS_ONLY: ReadonlySet<SyscallRequest['syscall']> = new Set(['read', 'write', 'recvfrom', 'kill']);

export interface ProcessesOptions {
  readonly cpus: number;
  readonly memory: UserMemory;
  /** Default OpaqueKernelObjects. */
  readonly objects?: KernelObjects;
  /** Default Vfs with DEFAULT_FILES. */
  readonly vfs?: Vfs;
  /** Local addresses of outgoing connections (default 10.0.0.1 and fd00::1). */
  readonly localAddress?: { readonly 4: string; readonly 6: string };
}

export interface SyscallOutcome {
  /** The return value as user space sees it (negative errno on failure); undefined for exit. */
  readonly ret: number | undefined;
  readonly events: HookEvent[];
  /** The time after the last event. */
  readonly end: number;
  /** recvfrom: the sender as user space got it in src_addr (after any recvmsg program), as `ip:port`. */
  readonly addr?: string;
}

export class Processes {
  readonly tasks: TaskTable;
  readonly vfs: Vfs;
  readonly sched: Scheduler;
  readonly #ctx: SysContext;
  #port = 32768;
  /** Where bind and connect run the cgroup sock_addr programs (default: none, allow). */
  sockAddrHook: SockAddrHook = ALLOW_SOCK_ADDR;

  constructor(options: ProcessesOptions) {
    const objects = options.objects ?? new OpaqueKernelObjects();
    this.tasks = new TaskTable(options.cpus, options.memory, objects);
    this.vfs = options.vfs ?? new Vfs();
    this.sched = new Scheduler(options.cpus, (cpu) => objects.idleTask(cpu));
    this.#ctx = {
      tasks: this.tasks, vfs: this.vfs, sched: this.sched, objects,
      ephemeralPort: () => (this.#port = this.#port >= 60999 ? 32768 : this.#port + 1),
      localAddress: options.localAddress ?? { 4: '10.0.0.1', 6: 'fd00::1' },
      sockAddr: (call) => this.sockAddrHook.sockAddr(call),
    };
  }

  /** Creates a task (no events: it is taken to exist from the start). */
  spawn(spec: TaskSpec): Task {
    return this.tasks.create(spec);
  }

  /**
   * Task `pid` makes a system call at `time`. ESRCH when the task does not exist; a call that
   * fails inside the kernel is not an exception but a negative `ret`, with its events.
   */
  syscall(time: number, pid: number, req: SyscallRequest): SyscallOutcome {
    const trace = new EventTrace(time, this.tasks.get(pid));
    this.tasks.touch(pid);
    const out: { from?: Endpoint } = {};
    const ret = this.#dispatch(trace, req, out);
    if (!CONTENTS_ONLY.has(req.syscall)) this.syncObjects();
    return { ret, events: trace.events, end: trace.now, ...(out.from && { addr: formatEndpoint(out.from) }) };
  }

  /**
   * Brings the kernel objects up to the tasks: those of the tasks made, ended or calling since the
   * last sync (incremental), or with `full` every task's (the kernel objects may have seen
   * another machine's tasks).
   */
  syncObjects(full = false): void {
    const changed = this.tasks.takeChanged();
    this.#ctx.objects.sync?.(this.tasks.list(), this.vfs, full ? undefined : changed);
  }

  /** Runs `req`; a call that reports an address (recvfrom) leaves it in `out`. */
  #dispatch(trace: EventTrace, req: SyscallRequest, out: { from?: Endpoint }): number | undefined {
    const ctx = this.#ctx;
    switch (req.syscall) {
      case 'openat':
        return sysOpenat(ctx, trace, req);
      case 'read':
        return sysRead(ctx, trace, req);
      case 'write':
        return sysWrite(ctx, trace, req);
      case 'close':
        return sysClose(ctx, trace, req);
      case 'socket':
        return sysSocket(ctx, trace, req);
      case 'bind':
        return sysBind(ctx, trace, req);
      case 'listen':
        return sysListen(ctx, trace, req);
      case 'connect':
        return sysConnect(ctx, trace, req);
      case 'accept':
        return sysAccept(ctx, trace, req);
      case 'sendto':
        return sysSendto(ctx, trace, req);
      case 'recvfrom': {
        const { ret, from } = sysRecvfrom(ctx, trace, req);
        if (from) out.from = from;
        return ret;
      }
      case 'execve':
        return sysExecve(ctx, trace, req);
      case 'clone':
        return sysClone(ctx, trace, req).ret;
      case 'fork':
        return sysClone(ctx, trace, { ...req, flags: req.flags ?? SIGCHLD }).ret;
      case 'exit':
      case 'exit_group':
        sysExit(ctx, trace, req);
        return undefined;
      case 'kill':
        return sysKill(ctx, trace, req);
      default:
        throw new BpfError('EINVAL', `syscall: unknown system call "${(req as { syscall: string }).syscall}"`);
    }
  }

  /**
   * Data the next read of socket `fd` of task `pid` returns, as if it arrived from the peer, or
   * from `from` (`ip:port`, the sender recvfrom reports).
   */
  queueSocketData(pid: number, fd: number, data: Uint8Array, from?: string): void {
    const d = this.tasks.get(pid).fds.get(fd);
    if (!d || d.kind !== 'socket') throw new BpfError('EBADF', `queue data: task ${pid} fd ${fd} is not a socket`);
    d.inbox.push({ data, ...(from !== undefined && { from: endpoint(from) }) });
  }
}
