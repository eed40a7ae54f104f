import { BpfError } from '@bpfhive/uapi';
import { seedPrandom, KERNEL_DATA_ALIGN, KERNEL_DATA_SIZE, KernelDataBlock, KernelDataOffset, type JitProgram } from '@bpfhive/jit';
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
 * Everything a run touches is reachable from here: with CPU threads (workers/cpu-threads.ts) the
 * CPU's worker runs its batches on this CPU's stack and kernel data block, while this object stays
 * on the main thread for the helpers it serves (its run state, task and scratch).
 */
export class Cpu {
  /** r10 of a run here. */
  readonly fp: bigint;
  readonly scratch: number;
  /** The tail-call table: slot = program id, holding the entry of that program's instance on this CPU. */
  readonly programs = new WebAssembly.Table({ initial: 1, element: 'anyfunc' });
  readonly instances = new Map<number, JitProgram>();
  /**
   * This CPU's kernel data block (@bpfhive/jit kernel-data.ts): what compiled programs read for the
   * clocks, the CPU, prandom and `current` instead of calling helpers. The CPU and NUMA node are
   * set once, prandom seeded once, the clocks before each batch or event (setClocks), `current`'s
   * fields on every task switch (the `task` setter).
   */
  readonly kernelData: KernelDataBlock;
  #task: Task;
  #idle: Task;
  readonly #taskAddress: (task: Task) => number;
  readonly #arena: Arena;
  readonly #runs: RunState[] = [];

  /**
   * `taskAddress`: where `task`'s task_struct is (bpf_get_current_task); `seed`: the prandom seed
   * of this CPU (prandom_seed_state).
   */
  constructor(
    readonly index: number,
    arena: Arena,
    taskAddress: (task: Task) => number = () => 0,
    seed = 0n,
  ) {
    const stack = arena.alloc(STACK_BYTES, 16);
    this.fp = BigInt(stack + STACK_BYTES);
    this.scratch = arena.alloc(SCRATCH_BYTES);
    this.#arena = arena;
    this.kernelData = new KernelDataBlock(arena.memory, arena.alloc(KERNEL_DATA_SIZE, KERNEL_DATA_ALIGN));
    this.kernelData.set({ cpu: index, numaNode: 0, prandom: seedPrandom(seed) });
    this.#taskAddress = taskAddress;
    this.#idle = idleTask(index);
    this.#task = this.#idle;
    this.#writeTask(this.#task);
  }

  /**
   * This CPU's idle task (`swapper/N`, pid 0): `current` when no task runs here. A stand-in until
   * a Simulation gives the kernel a world with BTF kernel objects, then the world's swapper/N,
   * so sched_switch's prev/next and bpf_get_current_task on an idle CPU are the same task_struct.
   */
  get idle(): Task {
    return this.#idle;
  }

  /** Replaces the idle task; if it is `current` now, the new one is (the kernel data block follows). */
  set idle(task: Task) {
    const wasCurrent = this.#task === this.#idle;
    this.#idle = task;
    if (wasCurrent) this.task = task;
  }

  /** The task that is `current` here; setting it updates the kernel data block. */
  get task(): Task {
    return this.#task;
  }

  set task(task: Task) {
    if (task === this.#task) return;
    this.#task = task;
    this.#writeTask(task);
  }

  #writeTask(task: Task): void {
    // Straight stores (no BigInt arithmetic beyond the two packed words): this runs on every switch.
    const u32 = this.#arena.u32;
    const at = this.kernelData.address >> 2;
    u32[at + (KernelDataOffset.PID_TGID >> 2)] = task.pid >>> 0;
    u32[at + (KernelDataOffset.PID_TGID >> 2) + 1] = task.tgid >>> 0;
    u32[at + (KernelDataOffset.UID_GID >> 2)] = task.uid >>> 0;
    u32[at + (KernelDataOffset.UID_GID >> 2) + 1] = task.gid >>> 0;
    storeU64(u32, at + (KernelDataOffset.CGROUP_ID >> 2), task.cgroupId);
    u32[at + (KernelDataOffset.TASK >> 2)] = this.#taskAddress(task) >>> 0;
    u32[at + (KernelDataOffset.TASK >> 2) + 1] = 0;
  }

  /**
   * Sets the block's clocks (before a batch or an event whose program reads them, run/clocks.ts):
   * straight u32 stores, as #writeTask does (KernelDataBlock.set costs microseconds per call).
   */
  setClocks(clocks: { readonly ktimeNs: bigint; readonly coarseNs: bigint; readonly taiNs: bigint; readonly jiffies64: bigint }): void {
    const u32 = this.#arena.u32;
    const at = this.kernelData.address >> 2;
    storeU64(u32, at + (KernelDataOffset.KTIME_NS >> 2), clocks.ktimeNs);
    storeU64(u32, at + (KernelDataOffset.BOOT_NS >> 2), clocks.ktimeNs);
    storeU64(u32, at + (KernelDataOffset.COARSE_NS >> 2), clocks.coarseNs);
    storeU64(u32, at + (KernelDataOffset.TAI_NS >> 2), clocks.taiNs);
    storeU64(u32, at + (KernelDataOffset.JIFFIES64 >> 2), clocks.jiffies64);
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

  /**
   * Runs `body` with `state` as the current run and `task` as current; afterwards the previous
   * task is current again (the idle task as it is then, if the CPU was idle).
   */
  enter<T>(state: RunState, task: Task | undefined, body: () => T): T {
    const previousTask = this.task;
    const wasIdle = previousTask === this.#idle;
    if (task) this.task = task;
    this.#runs.push(state);
    try {
      return body();
    } finally {
      this.#runs.pop();
      this.task = wasIdle ? this.#idle : previousTask;
    }
  }
}

/** `value` as a little-endian u64 at word `word` of `u32` (the block is 8-aligned). */
function storeU64(u32: Uint32Array, word: number, value: bigint): void {
  u32[word] = Number(value & 0xffff_ffffn);
  u32[word + 1] = Number((value >> 32n) & 0xffff_ffffn);
}
