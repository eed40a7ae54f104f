/**
 * Which task each CPU runs, and the sched_switch events when that changes: before a task makes a
 * system call on a CPU another task last ran on, and when a task dies (the CPU goes idle).
 * Idle is the CPU's idle task, as in Linux a task like any other: pid 0, `swapper/<cpu>`, with a
 * task_struct of its own (KernelObjects.idleTask), never NULL as sched_switch's prev or next.
 */
import { DEFAULT_PRIO, type Task } from './task.js';
import type { EventTrace } from './trace.js';
import { SCHED_SWITCH } from './tracepoints.js';

/** prev_state values (__trace_sched_switch_state): sleeping, dead thread, zombie process. */
export const TaskState = { RUNNING: 0, INTERRUPTIBLE: 1, DEAD: 0x10, ZOMBIE: 0x20 } as const;

interface Running {
  readonly pid: number;
  readonly comm: string;
  readonly taskStruct: bigint;
}

export class Scheduler {
  readonly #current: Running[];
  readonly #idleTask: (cpu: number) => bigint;

  /** `idleTask`: the task_struct of a CPU's idle task (KernelObjects.idleTask). */
  constructor(readonly cpus: number, idleTask: (cpu: number) => bigint) {
    this.#idleTask = idleTask;
    this.#current = Array.from({ length: cpus }, (_, cpu) => this.#idle(cpu));
  }

  /** The pid running on `cpu` (0 when idle). */
  running(cpu: number): number {
    return this.#current[cpu]!.pid;
  }

  /** Makes `trace.task` the running task of its CPU, firing sched_switch if another ran there. */
  switchIn(trace: EventTrace): void {
    const task = trace.task;
    const prev = this.#current[task.cpu]!;
    if (prev.pid === task.pid) return;
    this.#switch(trace, prev, prev.pid === 0 ? TaskState.RUNNING : TaskState.INTERRUPTIBLE, { pid: task.pid, comm: task.comm, taskStruct: task.taskStruct });
  }

  /** The dying `trace.task` leaves its CPU to idle. */
  switchOutDead(trace: EventTrace, task: Task): void {
    const state = task.tgid === task.pid ? TaskState.ZOMBIE : TaskState.DEAD;
    this.#switch(trace, { pid: task.pid, comm: task.comm, taskStruct: task.taskStruct }, state, this.#idle(task.cpu));
  }

  /** Forgets a task that no longer exists (so the next switch names idle as prev). */
  forget(pid: number): void {
    this.#current.forEach((r, cpu) => {
      if (r.pid === pid) this.#current[cpu] = this.#idle(cpu);
    });
  }

  /** CPU `cpu`'s idle task. */
  #idle(cpu: number): Running {
    return { pid: 0, comm: `swapper/${cpu}`, taskStruct: this.#idleTask(cpu) };
  }

  #switch(trace: EventTrace, prev: Running, prevState: number, next: Running): void {
    const cpu = trace.task.cpu;
    trace.tracepoint(
      SCHED_SWITCH,
      {
        prev_comm: prev.comm, prev_pid: prev.pid, prev_prio: DEFAULT_PRIO, prev_state: prevState,
        next_comm: next.comm, next_pid: next.pid, next_prio: DEFAULT_PRIO,
      },
      [0n, prev.taskStruct, next.taskStruct, BigInt(prevState)],
    );
    this.#current[cpu] = next;
  }
}
