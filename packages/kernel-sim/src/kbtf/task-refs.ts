/**
 * References on tasks, as `task_struct.usage` counts them in Linux: the world holds one on each
 * task it runs; bpf_task_from_pid and bpf_task_acquire take one more, bpf_task_release drops it
 * (a task stored in a map as a kptr keeps the reference it was stored with). A task that exits is
 * gone from the world (no pid finds it any more, PF_EXITING is set) but its objects stay in
 * memory, readable, until the last reference is dropped; only then are they freed. A program
 * cannot leak a reference (the verifier refuses one that would); a kptr in a map holds it until
 * the element is deleted or the map freed.
 */
import type { TaskObjects } from './task-objects.js';

/** What the task kfuncs of the kernel-sim need (core/kfuncs/task.ts). */
export interface TaskRefs {
  /** The task_struct of the live task `pid`, with a reference taken; 0 when there is none. */
  fromPid(pid: number): number;
  /** Takes another reference on the task at `address` (refcount_inc_not_zero); false when it has none left. */
  acquire(address: number): boolean;
  /** Drops a reference on the task at `address`; the last one frees a task that has exited. */
  release(address: number): void;
  /** References held on the task at `address` (0 for no task there). */
  count(address: number): number;
}

export class TaskRefCounts implements TaskRefs {
  /** Exited tasks still referenced, by task_struct address. */
  readonly #exited = new Map<number, TaskObjects>();

  constructor(
    private readonly live: (pid: number) => TaskObjects | undefined,
    private readonly all: () => Iterable<TaskObjects>,
  ) {}

  fromPid(pid: number): number {
    // pid 0 (the idle tasks) is in no pid namespace: find_task_by_pid_ns finds nothing.
    const task = pid > 0 ? this.live(pid) : undefined;
    if (!task || task.usage === 0) return 0;
    task.usage += 1;
    return task.task.address;
  }

  acquire(address: number): boolean {
    const task = this.#find(address);
    if (!task || task.usage === 0) return false;
    task.usage += 1;
    return true;
  }

  release(address: number): void {
    const task = this.#find(address);
    if (!task) throw new Error(`bpf_task_release: 0x${address.toString(16)} is not a task_struct`);
    this.put(task);
  }

  count(address: number): number {
    return this.#find(address)?.usage ?? 0;
  }

  /** Drops one reference on `task` (the world's, when the task exits); frees it with the last. */
  put(task: TaskObjects): void {
    const left = Math.max(0, task.usage - 1);
    task.usage = left;
    const address = task.task.address;
    if (left > 0) {
      if (!this.#isLive(task)) this.#exited.set(address, task);
      return;
    }
    this.#exited.delete(address);
    task.release();
  }

  #isLive(task: TaskObjects): boolean {
    for (const t of this.all()) if (t === task) return true;
    return false;
  }

  #find(address: number): TaskObjects | undefined {
    const exited = this.#exited.get(address);
    if (exited) return exited;
    for (const t of this.all()) if (t.task.address === address) return t;
    return undefined;
  }
}
