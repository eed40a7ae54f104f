/**
 * execve, clone/fork, exit/exit_group and kill — the process life cycle, with the sched
 * tracepoints where Linux fires them:
 *
 * - execve: bprm_execve, inside it sched_process_exec (comm already the new program's name);
 *   O_CLOEXEC descriptors are closed
 * - clone: kernel_clone, sched_process_fork, wake_up_new_task, the parent returns the child's
 *   pid; then the child, on its own CPU, returns 0 (sys_exit_clone in the child)
 * - exit: do_exit, sched_process_exit, sched_switch away from the dead task; no sys_exit
 * - kill: kill_something_info; a fatal signal then makes the target die as exit does
 */
import { EventTrace } from './trace.js';
import { CLONE_THREAD, FATAL_SIGNALS, O_FLAGS, SIGCHLD, parseSignal } from './syscall-request.js';
import { err, syscallFrame, syscallReturnInChild, type SysContext } from './sys-context.js';
import { DEFAULT_PRIO, type Task } from './task.js';
import { SCHED_PROCESS_EXEC, SCHED_PROCESS_EXIT, SCHED_PROCESS_FORK } from './tracepoints.js';
import { normalizePath } from './vfs.js';

export function sysExecve(ctx: SysContext, trace: EventTrace, req: { path: string; argv?: readonly string[]; envp?: readonly string[] }): number {
  const task = trace.task;
  const filename = task.memory.putString(req.path);
  const argv = task.memory.putPointers((req.argv ?? [req.path]).map((a) => task.memory.putString(a)));
  const envp = task.memory.putPointers((req.envp ?? ['PATH=/usr/bin:/bin']).map((e) => task.memory.putString(e)));
  return syscallFrame(ctx, trace, 'execve', [BigInt(filename), BigInt(argv), BigInt(envp)], () => {
    const path = normalizePath(req.path);
    const bprm = ctx.objects.address({ type: 'linux_binprm', pid: task.pid, path });
    const name = ctx.objects.address({ type: 'filename', pid: task.pid, path });
    return Number(trace.call('bprm_execve', [bprm, -100n, name, 0n], () => {
      if (!ctx.vfs.exists(path)) return err('ENOENT');
      task.comm = basename(path);
      task.exe = path;
      for (const [fd, d] of task.fds) if (d.kind === 'file' && d.flags & O_FLAGS.O_CLOEXEC) task.fds.delete(fd);
      trace.tracepoint(SCHED_PROCESS_EXEC, { filename: path, pid: task.pid, old_pid: task.pid }, [task.taskStruct, BigInt(task.pid), bprm]);
      return 0;
    }));
  })!;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1) || path;
}

export interface CloneResult {
  readonly ret: number;
  readonly child?: Task;
}

export function sysClone(ctx: SysContext, trace: EventTrace, req: { flags?: number; child?: number; cpu?: number }): CloneResult {
  const parent = trace.task;
  const flags = req.flags ?? SIGCHLD;
  let child: Task | undefined;
  const ret = syscallFrame(ctx, trace, 'clone', [BigInt(flags), 0n, 0n, 0n, 0n], () => {
    const args = ctx.objects.address({ type: 'kernel_clone_args', pid: parent.pid, flags: BigInt(flags) });
    return Number(trace.call('kernel_clone', [args], () => {
      const pid = req.child ?? ctx.tasks.nextPid();
      if (ctx.tasks.has(pid)) return err('EEXIST');
      const thread = (flags & CLONE_THREAD) !== 0;
      child = ctx.tasks.create({
        pid, tgid: thread ? parent.tgid : pid, ppid: thread ? parent.ppid : parent.tgid, uid: parent.uid, gid: parent.gid,
        comm: parent.comm, cgroupId: parent.cgroupId, cpu: req.cpu ?? (parent.cpu + 1) % ctx.tasks.cpus, exe: parent.exe,
      });
      for (const [fd, d] of parent.fds) child.fds.set(fd, { ...d, ...(d.kind === 'socket' ? { inbox: [] } : {}) });
      trace.tracepoint(SCHED_PROCESS_FORK, { parent_comm: parent.comm, parent_pid: parent.pid, child_comm: child.comm, child_pid: child.pid }, [parent.taskStruct, child.taskStruct]);
      trace.call('wake_up_new_task', [child.taskStruct]);
      return pid;
    }));
  })!;
  if (child) {
    const childTrace = new EventTrace(trace.now, child);
    syscallReturnInChild(ctx, childTrace, 'clone');
    trace.events.push(...childTrace.events);
    trace.advanceTo(childTrace.now);
  }
  return child ? { ret, child } : { ret };
}

/** The death of `task` (do_exit with `code`): the events, then it is gone from the table. */
export function taskExit(ctx: SysContext, trace: EventTrace, task: Task, code: number): void {
  const saved = trace.task;
  trace.task = task;
  trace.enter('do_exit', [BigInt(code)]);
  trace.tracepoint(SCHED_PROCESS_EXIT, { comm: task.comm, pid: task.pid, prio: DEFAULT_PRIO }, [task.taskStruct]);
  ctx.sched.switchOutDead(trace, task);
  trace.abandon();
  ctx.sched.forget(task.pid);
  ctx.tasks.remove(task.pid);
  trace.task = saved;
}

export function sysExit(ctx: SysContext, trace: EventTrace, req: { syscall: 'exit' | 'exit_group'; code?: number }): void {
  const task = trace.task;
  const code = ((req.code ?? 0) & 0xff) << 8;
  syscallFrame(ctx, trace, req.syscall, [BigInt(req.code ?? 0)], () => {
    if (req.syscall === 'exit_group') {
      trace.enter('do_group_exit', [BigInt(code)]);
      for (const t of ctx.tasks.threadsOf(task.tgid)) {
        if (t === task) continue;
        const other = new EventTrace(trace.now, t);
        ctx.sched.switchIn(other);
        taskExit(ctx, other, t, code);
        trace.events.push(...other.events);
        trace.advanceTo(other.now);
      }
    }
    taskExit(ctx, trace, task, code);
    return 'noreturn';
  });
}

export function sysKill(ctx: SysContext, trace: EventTrace, req: { target: number; signal?: number | string }): number {
  const sig = parseSignal(req.signal);
  const killer = trace.task;
  let victim: Task | undefined;
  const ret = syscallFrame(ctx, trace, 'kill', [BigInt(req.target), BigInt(sig)], () => {
    const info = ctx.objects.address({ type: 'kernel_siginfo', pid: killer.pid, sig });
    return Number(trace.call('kill_something_info', [BigInt(sig), info, BigInt(req.target)], () => {
      if (sig < 0 || sig > 64) return err('EINVAL');
      if (req.target <= 0) return err('EINVAL');
      if (!ctx.tasks.has(req.target)) return err('ESRCH');
      const target = ctx.tasks.get(req.target);
      if (killer.uid !== 0 && killer.uid !== target.uid) return err('EPERM');
      if (FATAL_SIGNALS.has(sig)) victim = target;
      return 0;
    }));
  })!;
  if (victim) {
    for (const t of ctx.tasks.threadsOf(victim.tgid)) {
      const vt = new EventTrace(trace.now, t);
      if (t !== killer) ctx.sched.switchIn(vt);
      taskExit(ctx, vt, t, sig);
      trace.events.push(...vt.events);
      trace.advanceTo(vt.now);
    }
  }
  return ret;
}
