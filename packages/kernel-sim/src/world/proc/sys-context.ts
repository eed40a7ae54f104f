/**
 * What every system call implementation works with, and the frame every one of them shares:
 * sched_switch in, raw_syscalls:sys_enter, syscalls:sys_enter_<name>, the `__x64_sys_<name>`
 * entry (di = the saved user pt_regs), the body's kernel calls, then the returns and the exit
 * tracepoints in reverse order. The user registers are written to the task's kernel block so a
 * kprobe on `__x64_sys_*` can read the arguments through di, as BPF_KPROBE_SYSCALL does.
 */
import { errnoNumber } from '@bpfhive/uapi';
import type { KernelObjects, SockAddrCall, SockAddrVerdict } from '../ports.js';
import { USER_CALL_SITE, encodeRegs, syscallRegs, userStackPointer } from './pt-regs.js';
import type { Scheduler } from './scheduler.js';
import { SYSCALLS, type SyscallName } from './syscall-table.js';
import type { TaskTable } from './task.js';
import type { EventTrace } from './trace.js';
import { RAW_SYS_ENTER, RAW_SYS_EXIT, SYSCALL_ENTER, SYSCALL_EXIT } from './tracepoints.js';
import type { Vfs } from './vfs.js';

export interface SysContext {
  readonly tasks: TaskTable;
  readonly vfs: Vfs;
  readonly sched: Scheduler;
  readonly objects: KernelObjects;
  /** The next local port for a connect without bind (32768 up, as ip_local_port_range starts). */
  ephemeralPort(): number;
  /** The local address of outgoing connections per family. */
  readonly localAddress: { readonly 4: string; readonly 6: string };
  /** Runs the cgroup sock_addr programs of a bind or connect (the world's SockAddrHook). */
  sockAddr(call: SockAddrCall): SockAddrVerdict;
}

/** A negative errno for a return value. */
export function err(code: string): number {
  return -(errnoNumber(code) ?? 22);
}

/** Where the user-space `syscall` instruction sits for system call `nr` (a fixed libc address). */
function userIp(nr: number): bigint {
  return 0x7f3a5c000000n + 0x11a000n + BigInt(nr) * 0x10n;
}

/**
 * Runs one system call of `trace.task` with user arguments `args`; `body` makes the nested
 * kernel calls and gives the return value, or `noreturn` (exit) to stop after the entry events.
 */
export function syscallFrame(ctx: SysContext, trace: EventTrace, name: SyscallName, args: readonly bigint[], body: () => number | 'noreturn'): number | undefined {
  const task = trace.task;
  const def = SYSCALLS[name];
  const nr = BigInt(def.nr);
  const six = [...args, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6).map((a) => BigInt.asUintN(64, a));
  const userSp = userStackPointer(task.pid);
  const regs = syscallRegs(def.nr, six, userIp(def.nr), userSp);
  // The user stack: libc's syscall wrapper, called from the program's code.
  trace.userStack = [userIp(def.nr), USER_CALL_SITE];
  task.memory.writeRegs(encodeRegs(regs));
  const regsPtr = BigInt(task.memory.regsAddress);

  ctx.sched.switchIn(trace);
  const argBytes = new Uint8Array(48);
  six.forEach((a, i) => new DataView(argBytes.buffer).setBigUint64(8 * i, a, true));
  trace.tracepoint(RAW_SYS_ENTER, { id: nr, args: argBytes }, [regsPtr, nr]);
  trace.tracepoint(SYSCALL_ENTER[name], { __syscall_nr: def.nr, ...Object.fromEntries(def.args.map((a, i) => [a.name, six[i]!])) });
  const wrapper = `__x64_sys_${name}`;
  trace.enter(wrapper, [regsPtr]);
  const ret = body();
  if (ret === 'noreturn') {
    trace.abandon();
    return undefined;
  }
  trace.exit(wrapper, ret);
  task.memory.writeRegs(encodeRegs({ ...regs, ax: BigInt(ret) }));
  trace.tracepoint(SYSCALL_EXIT[name], { __syscall_nr: def.nr, ret: BigInt(ret) });
  trace.tracepoint(RAW_SYS_EXIT, { id: nr, ret: BigInt(ret) }, [regsPtr, BigInt(ret)]);
  return ret;
}

/**
 * The return half of a system call in a new task (a clone child returning 0 from ret_from_fork):
 * sched_switch in, then syscalls:sys_exit_<name> and raw_syscalls:sys_exit.
 */
export function syscallReturnInChild(ctx: SysContext, trace: EventTrace, name: SyscallName): void {
  const task = trace.task;
  const nr = BigInt(SYSCALLS[name].nr);
  task.memory.writeRegs(encodeRegs(syscallRegs(SYSCALLS[name].nr, [], userIp(SYSCALLS[name].nr), userStackPointer(task.pid))));
  ctx.sched.switchIn(trace);
  trace.tracepoint(SYSCALL_EXIT[name], { __syscall_nr: Number(nr), ret: 0n });
  trace.tracepoint(RAW_SYS_EXIT, { id: nr, ret: 0n }, [BigInt(task.memory.regsAddress), 0n]);
}
