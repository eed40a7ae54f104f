/**
 * The events the world produces, in time order: frames arriving at devices, and hook events of
 * processes (tracepoints, kernel function entry and exit). The core runs the programs attached
 * to each event's hook on the event's CPU.
 */
import type { Packet } from './net/packet.js';

/** The task an event happens in, as the helpers report it (`get_current_pid_tgid`, …). */
export interface TaskSnapshot {
  /** Thread id (the kernel's `pid`). */
  readonly pid: number;
  /** Process id (the kernel's `tgid`). */
  readonly tgid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly gid: number;
  /** At most 15 bytes (TASK_COMM_LEN 16 with the NUL). */
  readonly comm: string;
  readonly cgroupId: bigint;
  /** Address of its task_struct (`bpf_get_current_task`). */
  readonly taskStruct: bigint;
}

interface Timed {
  /** Virtual time in ns. */
  readonly time: number;
  readonly cpu: number;
}

/** A frame arrives on a device: XDP, then (per the verdict model) TC ingress and the stack. */
export interface PacketEvent extends Timed {
  readonly kind: 'packet';
  readonly packet: Packet;
}

/**
 * The call stacks at an event, innermost first, as bpf_get_stack and bpf_get_stackid walk them:
 * `kernel` the return addresses of the kernel functions the event is inside (a function entry's
 * own address first), `user` the task's user-space ones when it came from a system call.
 */
export interface Stacks {
  readonly kernel: readonly bigint[];
  readonly user: readonly bigint[];
}

/**
 * A tracepoint fires. `record` is the perf-format record tracepoint programs get; `rawArgs` the
 * TP_PROTO arguments raw tracepoint and tp_btf programs get (absent for syscalls:* events, which
 * have no raw form).
 */
export interface TracepointEvent extends Timed {
  readonly kind: 'tracepoint';
  readonly task: TaskSnapshot;
  readonly category: string;
  readonly name: string;
  readonly record: Uint8Array;
  readonly rawArgs?: readonly bigint[];
  readonly stacks?: Stacks;
}

/**
 * A kernel function is entered: kprobes get `regs` (a 168-byte pt_regs), fentry programs get
 * `args` (u64 each). `addr` is the function's address (`bpf_get_func_ip`).
 */
export interface FuncEntryEvent extends Timed {
  readonly kind: 'func_entry';
  readonly task: TaskSnapshot;
  readonly func: string;
  readonly addr: bigint;
  readonly regs: Uint8Array;
  readonly args: readonly bigint[];
  readonly stacks?: Stacks;
}

/** A kernel function returns: kretprobes get `regs` (ax = `ret`), fexit programs `args` then `ret`. */
export interface FuncExitEvent extends Timed {
  readonly kind: 'func_exit';
  readonly task: TaskSnapshot;
  readonly func: string;
  readonly addr: bigint;
  readonly regs: Uint8Array;
  readonly args: readonly bigint[];
  /** The return value as a u64 (negative errnos in two's complement). */
  readonly ret: bigint;
  readonly stacks?: Stacks;
}

export type HookEvent = TracepointEvent | FuncEntryEvent | FuncExitEvent;
export type WorldEvent = PacketEvent | HookEvent;
