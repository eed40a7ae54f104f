import { BpfError } from '@bpfhive/uapi';
import type { JitProgram } from '@bpfhive/jit';
import type { Arena } from '@bpfhive/maps-store';
import { type Task, idleTask } from '../tasks.js';
import type { RunState } from './run-state.js';

/** Stack below a run's frame pointer: 8 frames of 512 bytes, and 8 more for callbacks (JitProgram.run). */
export const STACK_BYTES = 16 * 512;
/** Per-CPU scratch memory for helpers that need kernel memory of their own (a key to iterate with, …). */
export const SCRATCH_BYTES = 1024;

/**
 * A simulated CPU: its stack and scratch memory in the arena, the task that is `current` on it,
 * the instances of the programs that ran there (one JitProgram per program per CPU, whose helpers
 * see this CPU as `env.data`), the table tail calls jump through, and the runs in progress
 * (a stack: a run may trigger another, as a tracepoint fires inside a program's helper).
 * A later phase puts each CPU on a worker thread; everything a run touches is reachable from here.
 */
export class Cpu {
  /** r10 of a run here. */
  readonly fp: bigint;
  readonly scratch: number;
  /** The tail-call table: slot = program id, holding the entry of that program's instance on this CPU. */
  readonly programs = new WebAssembly.Table({ initial: 1, element: 'anyfunc' });
  readonly instances = new Map<number, JitProgram>();
  task: Task;
  readonly #runs: RunState[] = [];

  constructor(
    readonly index: number,
    arena: Arena,
  ) {
    const stack = arena.alloc(STACK_BYTES, 16);
    this.fp = BigInt(stack + STACK_BYTES);
    this.scratch = arena.alloc(SCRATCH_BYTES);
    this.task = idleTask(index);
  }

  /** The innermost run in progress; EFAULT when a helper is called with none (a kernel bug). */
  get run(): RunState {
    const run = this.#runs.at(-1);
    if (!run) throw new BpfError('EFAULT', `cpu ${this.index}: a helper ran outside a program run`);
    return run;
  }

  /** True while some program runs here. */
  get busy(): boolean {
    return this.#runs.length > 0;
  }

  /** Runs `body` with `state` as the current run and `task` as current. */
  enter<T>(state: RunState, task: Task | undefined, body: () => T): T {
    const previousTask = this.task;
    if (task) this.task = task;
    this.#runs.push(state);
    try {
      return body();
    } finally {
      this.#runs.pop();
      this.task = previousTask;
    }
  }
}
