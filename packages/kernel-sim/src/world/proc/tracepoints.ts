/**
 * The tracepoints the world fires, with their record layouts as Linux 6.6 (x86-64) lays them out:
 *
 * - raw_syscalls:sys_enter `long id` at 8, `unsigned long args[6]` at 16; sys_exit `long id`, `long ret`
 * - syscalls:sys_enter_<name>: `int __syscall_nr` at 8, then each argument as an 8-byte unsigned
 *   field from offset 16; syscalls:sys_exit_<name>: `__syscall_nr`, `long ret` at 16
 * - sched:sched_process_exec: `__data_loc char[] filename`, `pid`, `old_pid`
 * - sched:sched_process_fork: `parent_comm[16]`, `parent_pid`, `child_comm[16]`, `child_pid`
 * - sched:sched_process_exit: `comm[16]`, `pid`, `prio`
 * - sched:sched_switch: prev_comm/pid/prio, `long prev_state`, next_comm/pid/prio
 *
 * (Kernels from 6.17 print the fork comms as `__data_loc` strings; bpfhive keeps the layout that
 * vmlinux.h-based programs of the 6.x LTS kernels compile against.) Event ids are bpfhive's own.
 */
import { SYSCALLS, type SyscallDef, type SyscallName } from './syscall-table.js';
import { traceLayout, type TraceField, type TraceLayout } from './trace-layout.js';

const f = (type: string, name: string, offset: number, size: number, signed: boolean): TraceField => ({ name, type, offset, size, signed });

export const RAW_SYS_ENTER = traceLayout('raw_syscalls', 'sys_enter', 21, [f('long', 'id', 8, 8, true), f('unsigned long[6]', 'args', 16, 48, false)]);
export const RAW_SYS_EXIT = traceLayout('raw_syscalls', 'sys_exit', 20, [f('long', 'id', 8, 8, true), f('long', 'ret', 16, 8, true)]);

export const SCHED_PROCESS_EXEC = traceLayout('sched', 'sched_process_exec', 300, [
  f('__data_loc char[]', 'filename', 8, 4, false),
  f('pid_t', 'pid', 12, 4, true),
  f('pid_t', 'old_pid', 16, 4, true),
]);
export const SCHED_PROCESS_FORK = traceLayout('sched', 'sched_process_fork', 301, [
  f('char[16]', 'parent_comm', 8, 16, false),
  f('pid_t', 'parent_pid', 24, 4, true),
  f('char[16]', 'child_comm', 28, 16, false),
  f('pid_t', 'child_pid', 44, 4, true),
]);
export const SCHED_PROCESS_EXIT = traceLayout('sched', 'sched_process_exit', 302, [
  f('char[16]', 'comm', 8, 16, false),
  f('pid_t', 'pid', 24, 4, true),
  f('int', 'prio', 28, 4, true),
]);
export const SCHED_SWITCH = traceLayout('sched', 'sched_switch', 303, [
  f('char[16]', 'prev_comm', 8, 16, false),
  f('pid_t', 'prev_pid', 24, 4, true),
  f('int', 'prev_prio', 28, 4, true),
  f('long', 'prev_state', 32, 8, true),
  f('char[16]', 'next_comm', 40, 16, false),
  f('pid_t', 'next_pid', 56, 4, true),
  f('int', 'next_prio', 60, 4, true),
]);

const SYSCALL_ID_BASE = 600;

function enterLayout(def: SyscallDef, id: number): TraceLayout {
  return traceLayout('syscalls', `sys_enter_${def.name}`, id, [
    f('int', '__syscall_nr', 8, 4, true),
    ...def.args.map((arg, i) => f(arg.type, arg.name, 16 + 8 * i, 8, false)),
  ]);
}

function exitLayout(def: SyscallDef, id: number): TraceLayout {
  return traceLayout('syscalls', `sys_exit_${def.name}`, id, [f('int', '__syscall_nr', 8, 4, true), f('long', 'ret', 16, 8, true)]);
}

const names = Object.keys(SYSCALLS) as SyscallName[];
export const SYSCALL_ENTER: Readonly<Record<SyscallName, TraceLayout>> = Object.fromEntries(
  names.map((n, i) => [n, enterLayout(SYSCALLS[n], SYSCALL_ID_BASE + 2 * i)]),
) as Record<SyscallName, TraceLayout>;
export const SYSCALL_EXIT: Readonly<Record<SyscallName, TraceLayout>> = Object.fromEntries(
  names.map((n, i) => [n, exitLayout(SYSCALLS[n], SYSCALL_ID_BASE + 2 * i + 1)]),
) as Record<SyscallName, TraceLayout>;

/** Every tracepoint the world can fire. */
export const TRACEPOINTS: readonly TraceLayout[] = [
  RAW_SYS_ENTER, RAW_SYS_EXIT, SCHED_PROCESS_EXEC, SCHED_PROCESS_FORK, SCHED_PROCESS_EXIT, SCHED_SWITCH,
  ...names.flatMap((n) => [SYSCALL_ENTER[n], SYSCALL_EXIT[n]]),
];

/** A tracepoint by `category:name` or `category/name`. */
export function findTracepoint(qualified: string): TraceLayout | undefined {
  const [category, name] = qualified.split(/[:/]/);
  return TRACEPOINTS.find((t) => t.category === category && t.name === name);
}
