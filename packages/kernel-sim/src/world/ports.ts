/**
 * The world's ports: what it needs from the kernel-sim core, and what it hands it. The world
 * holds no NATS and runs no programs; the core implements these over its shared memory and its
 * program table, and tests use the small implementations beside them (proc/array-memory.ts,
 * proc/kernel-objects.ts).
 */
import type { TaskSnapshot, WorldEvent } from './events.js';
import type { FiveTuple } from './net/flow.js';
import type { Endpoint } from './proc/sockaddr.js';
import type { Task } from './proc/task.js';
import type { Vfs } from './proc/vfs.js';

/**
 * Where hook events go. The core runs the programs attached to each event's hook, in order,
 * on the event's CPU; a batch is in time order.
 */
export interface HookSink {
  fire(batch: readonly WorldEvent[]): void;
}

/**
 * Memory that programs can read with `bpf_probe_read_user` (and `_kernel`: bpfhive has one address
 * space, the kernel's shared memory). The world keeps each task's strings and buffers, and the
 * registers its system calls saved, in blocks it allocates here.
 */
export interface UserMemory {
  /** A zeroed block of `size` bytes; returns its address (never 0). */
  alloc(size: number): number;
  /** Copies `bytes` to `address` (inside a block from alloc). */
  write(address: number, bytes: Uint8Array): void;
  /** Gives a block back (when its task is gone). */
  free(address: number, size: number): void;
}

/** A kernel object a probe argument points to, named by what the world knows about it. */
export type KernelObject =
  | { readonly type: 'task_struct'; readonly pid: number; readonly tgid: number; readonly comm: string }
  | { readonly type: 'file'; readonly pid: number; readonly fd: number; readonly path: string }
  | { readonly type: 'loff_t'; readonly pid: number; readonly fd: number }
  | { readonly type: 'sock'; readonly pid: number; readonly fd: number; readonly family: number; readonly tuple?: FiveTuple }
  | { readonly type: 'linux_binprm'; readonly pid: number; readonly path: string }
  | { readonly type: 'filename'; readonly pid: number; readonly path: string }
  | { readonly type: 'kernel_clone_args'; readonly pid: number; readonly flags: bigint }
  | { readonly type: 'kernel_siginfo'; readonly pid: number; readonly sig: number }
  | { readonly type: 'files_struct'; readonly pid: number };

/**
 * Addresses of kernel objects. The core, which owns the simulated kernel's BTF, may lay the
 * objects out in its memory (a task_struct with pid and comm, a sock with its addresses) so that
 * CO-RE reads find them; the world only needs a stable address per object.
 */
export interface KernelObjects {
  address(obj: KernelObject): bigint;
  /**
   * The task_struct of CPU `cpu`'s idle task (`swapper/<cpu>`, pid 0; CPU 0's is init_task): what
   * sched_switch names as prev or next when the CPU goes idle or leaves it. Never 0.
   */
  idleTask(cpu: number): bigint;
  /**
   * Optional, for objects with contents: writes them from the world's `tasks` (and frees those of
   * tasks and descriptors that are gone). Processes calls it after each system call that makes,
   * changes or ends tasks or descriptors, so the objects a call made are complete before a later
   * call of the same batch of hook events ends them.
   *
   * `changed`: the pids whose tasks were made, ended or made a system call since the last sync
   * (TaskTable.takeChanged); only their objects, their thread groups' and their children's are
   * written, and those of the ended are freed. Undefined: every task (a full sync).
   */
  sync?(tasks: Iterable<Task>, files: Vfs, changed?: ReadonlySet<number>): void;
}

/**
 * The points where cgroup sock_addr programs see an address: connect and bind
 * (BPF_CGROUP_INET{4,6}_<POINT>), and a UDP datagram's sendmsg (its destination) and recvmsg (its
 * sender, as recvfrom reports it) (BPF_CGROUP_UDP{4,6}_<POINT>).
 */
export type SockAddrPoint = 'connect' | 'bind' | 'sendmsg' | 'recvmsg';

/** One bind, connect, sendmsg or recvmsg, at the point Linux runs the cgroup's sock_addr programs. */
export interface SockAddrCall {
  readonly point: SockAddrPoint;
  /** The calling task (its cgroup picks the programs). */
  readonly task: TaskSnapshot;
  readonly cpu: number;
  /** SOCK_STREAM (1) or SOCK_DGRAM (2); the family is the address's (the world checked they match). */
  readonly type: number;
  /** The kernel's copy of the caller's address. */
  readonly address: Endpoint;
  /** sendmsg: the source address the datagram would leave from (msg_src_ip4/6; the bound address, or 0.0.0.0 / ::). */
  readonly source?: string;
}

/** What the programs decided: refused (the call fails with EPERM) or allowed, with the address the call goes on with. */
export interface SockAddrVerdict {
  readonly allowed: boolean;
  /** The caller's address, or the one the programs wrote to user_ip4/user_ip6/user_port. */
  readonly address: Endpoint;
  /** sendmsg: the source address after the programs (what they wrote to msg_src_ip4/6). */
  readonly source?: string;
}

/**
 * The cgroup sock_addr hook, called synchronously inside the system call (the core runs the
 * programs there, so their verdict and rewrite take effect as in Linux). Without one, every call
 * is allowed unchanged.
 */
export interface SockAddrHook {
  sockAddr(call: SockAddrCall): SockAddrVerdict;
}

/** The hook of a world with no cgroup programs: allow, address unchanged. */
export const ALLOW_SOCK_ADDR: SockAddrHook = { sockAddr: (call) => ({ allowed: true, address: call.address }) };
