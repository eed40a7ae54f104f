import { type HelperRegistry, JitProgram, type KfuncRegistry, type TailCallRequest } from '@bpfhive/jit';
import type { KernelMaps } from '../maps/kernel-maps.js';
import type { Clock } from '../ports.js';
import { clockValues } from '../helpers/time.js';
import type { LoadedProgram } from '../programs/program.js';
import type { Task } from '../tasks.js';
import type { ContextBatch } from '../kernel.js';
import type { CpuThreads, ThreadBatch } from '../workers/cpu-threads.js';
import { readsClocks } from './clocks.js';
import type { Cpu } from './cpu.js';
import { type RunSetup, type RunState, newRunState } from './run-state.js';
import { MAX_TAIL_CALLS, type ProgArrayReader } from './tail-call.js';

export interface RunnerDeps {
  readonly memory: WebAssembly.Memory;
  readonly helpers: HelperRegistry;
  /** The kernel's kfuncs, by BTF id. */
  readonly kfuncs?: KfuncRegistry;
  readonly maps: KernelMaps;
  readonly progArray: ProgArrayReader;
  readonly clock: Clock;
  /** The program with this id, if it is still loaded. */
  readonly program: (id: number) => LoadedProgram | undefined;
  /** kernel.bpf_stats_enabled: count run_time_ns and run_cnt while it is on. */
  readonly stats: { readonly enabled: boolean };
  /** The CPUs' worker threads, when the kernel runs batches on them (workers/cpu-threads.ts). */
  readonly threads?: CpuThreads;
}

export interface RunOptions extends RunSetup {
  /** The task that is current during the run (default: whatever is current on the CPU). */
  readonly task?: Task;
}

export interface RunResult {
  /** r0, unsigned 64-bit. */
  readonly r0: bigint;
  /** The run's state after it ended (redirect target, packet bounds…). */
  readonly state: RunState;
}

/**
 * Runs programs on CPUs: instantiates a program on a CPU the first time it runs there (its
 * helpers see that CPU as env.data), sets up the run state, counts statistics, and resolves tail
 * calls (same program type, at most 33 per run, through the CPU's table).
 */
export class ProgramRunner {
  constructor(private readonly deps: RunnerDeps) {}

  /** `program`'s instance on `cpu`, created on first use. */
  instanceOn(cpu: Cpu, program: LoadedProgram): JitProgram {
    let instance = cpu.instances.get(program.id);
    if (!instance) {
      instance = new JitProgram(program.compiled, {
        memory: this.deps.memory,
        helpers: this.deps.helpers,
        ...(this.deps.kfuncs && { kfuncs: this.deps.kfuncs }),
        programs: cpu.programs,
        tailCall: (request) => this.#tailCall(cpu, request),
        // LD_ABS / LD_IND read the run's packet from skb->data on, as Linux's load helpers do.
        packet: () => cpu.run.packet?.data,
        data: cpu,
        kernelData: cpu.kernelData.address,
      });
      cpu.instances.set(program.id, instance);
    }
    return instance;
  }

  /** Runs `program` on `cpu` with r1 = `ctx`. Errors of the run (EFAULT) propagate after the CPU is restored. */
  run(program: LoadedProgram, cpu: Cpu, ctx: number, options: RunOptions = {}): RunResult {
    const instance = this.instanceOn(cpu, program);
    const state = newRunState(program, ctx, options);
    const started = this.#start(program, cpu);
    const r0 = cpu.enter(state, options.task, () => instance.run([BigInt(ctx)], cpu.fp));
    this.#count(program, started, 1);
    return { r0, state };
  }

  /**
   * Calls bpf function `address` of `program` on `cpu` with r1..r5 = `args`, outside a run of
   * its entry (a bpf_timer callback): a run state of its own (helpers work; ctx 0), r10 at the
   * CPU's frame, clocks set when the program reads them. Not counted in run_cnt, as in Linux.
   * The CPU must not be running a program (the call would use its stack). Returns r0.
   */
  callFunction(program: LoadedProgram, cpu: Cpu, address: bigint, args: readonly bigint[], options: RunOptions = {}): bigint {
    if (cpu.busy) throw new Error(`cpu ${cpu.index}: a callback cannot start while a program runs there`);
    const instance = this.instanceOn(cpu, program);
    if (readsClocks(program)) cpu.setClocks(clockValues(this.deps.clock));
    return cpu.enter(newRunState(program, 0, options), options.task, () => instance.callFunction(address, args, cpu.fp));
  }

  /**
   * Runs `program` on `cpu` once per context of `batch` in one call into WebAssembly (Kernel.runBatch
   * states the contract): one run state and one clock reading for the whole batch.
   */
  runBatch(program: LoadedProgram, cpu: Cpu, batch: ContextBatch, options: RunOptions = {}): void {
    const instance = this.instanceOn(cpu, program);
    const started = this.#start(program, cpu);
    cpu.enter(newRunState(program, batch.base, options), options.task, () => instance.runBatch(batch.base, batch.stride, batch.count, batch.out, cpu.fp));
    this.#count(program, started, batch.count);
  }

  /**
   * Runs each batch on its CPU's worker thread, all at once (one batch per CPU; the kernel has
   * threads; main may run some itself, CpuThreads.run), as runBatch does for each: clocks set, a
   * run state entered on its CPU (helpers the threads call are served on main and read it),
   * `count` runs counted for a batch that ended. Returns, per batch, undefined or the error that
   * stopped it (its runs are not counted then, as for a batch on main that throws).
   */
  runBatchesOnThreads(batches: readonly ThreadBatch[], options: RunOptions = {}): (Error | undefined)[] {
    const threads = this.deps.threads;
    if (!threads) throw new Error('runner: the kernel has no CPU threads');
    const started = batches.map((b) => this.#start(b.program, b.cpu));
    // A batch main runs itself (CpuThreads.run): the CPU's instance here, inside the run state entered below.
    const runHere = ({ program, cpu, batch }: ThreadBatch): void => this.instanceOn(cpu, program).runBatch(batch.base, batch.stride, batch.count, batch.out, cpu.fp);
    const enterFrom = (i: number): (Error | undefined)[] => {
      const b = batches[i];
      return b ? b.cpu.enter(newRunState(b.program, b.batch.base, options), options.task, () => enterFrom(i + 1)) : threads.run(batches, runHere);
    };
    const errors = enterFrom(0);
    batches.forEach((b, i) => {
      if (!errors[i]) this.#count(b.program, started[i]!, b.batch.count);
    });
    return errors;
  }

  /** Before a run or batch: the CPU's clocks when the program reads them; the start time when stats are kept. */
  #start(program: LoadedProgram, cpu: Cpu): bigint {
    if (readsClocks(program)) cpu.setClocks(clockValues(this.deps.clock));
    return this.deps.stats.enabled ? this.deps.clock.monotonicNs() : -1n;
  }

  /** After `runs` runs that started at `started` (-1 when stats were off then): run_time_ns and run_cnt. */
  #count(program: LoadedProgram, started: bigint, runs: number): void {
    if (started < 0n) return;
    program.stats.runTimeNs += this.deps.clock.monotonicNs() - started;
    program.stats.runCount += runs === 1 ? 1n : BigInt(runs);
  }

  /** Drops `program`'s instances, on the CPUs and their threads (it was freed). */
  forget(program: LoadedProgram, cpus: readonly Cpu[]): void {
    this.deps.threads?.forget(program);
    for (const cpu of cpus) {
      cpu.instances.delete(program.id);
      if (program.id < cpu.programs.length) cpu.programs.set(program.id, null);
    }
  }

  /** bpf_tail_call: the table slot to jump to, or undefined to fall through (as Linux's interpreter orders the checks). */
  #tailCall(cpu: Cpu, request: TailCallRequest): number | undefined {
    const run = cpu.run;
    const held = this.deps.maps.at(request.map);
    if (!held) return undefined;
    const index = Number(BigInt.asUintN(32, request.index));
    if (index >= held.map.spec.max_entries) return undefined;
    if (run.tailCalls >= MAX_TAIL_CALLS) return undefined;
    run.tailCalls++;
    const id = this.deps.progArray.programAt(held.map, index, cpu.index, cpu.scratch);
    const target = id === undefined ? undefined : this.deps.program(id);
    if (!target || target.type !== run.program.type) return undefined;
    const entry = this.instanceOn(cpu, target).entry;
    if (cpu.programs.length <= target.id) cpu.programs.grow(target.id + 1 - cpu.programs.length);
    cpu.programs.set(target.id, entry as never);
    return target.id;
  }
}
