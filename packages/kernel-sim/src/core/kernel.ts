import type { HelperRegistry, KfuncRegistry } from '@bpfhive/jit';
import { Arena } from '@bpfhive/maps-store';
import { BpfError } from '@bpfhive/uapi';
import { releaseProgBtf } from './btf/prog-btf.js';
import { btfTableOf } from './btf/table-of.js';
import type { ProgramCompiler } from './compile/types.js';
import { discardTrace, mathRandom, systemClock } from './defaults.js';
import { implementsHelper, kernelHelpers } from './helpers/index.js';
import { VirtualClock } from './helpers/virtual-clock.js';
import { type TaskRefsHolder, kernelKfuncs } from './kfuncs/index.js';
import { PerCpuVars } from './kfuncs/percpu-vars.js';
import { kernelBtf } from '../kbtf/kernel-btf.js';
import { type LoadResult, loadProgram } from './load/loader.js';
import type { ProgLoadAttr } from './load/attr.js';
import { KernelMaps } from './maps/kernel-maps.js';
import { KernelMemory } from './memory/kernel-memory.js';
import { type NetDevices, loopbackOnly } from './net/devices.js';
import type { Clock, MapProvider, RandomSource, TraceOutput } from './ports.js';
import { type ProgInfo, programInfo } from './programs/info.js';
import type { LoadedProgram } from './programs/program.js';
import { ProgramTable } from './programs/table.js';
import { Cpu } from './run/cpu.js';
import { ProgramRunner, type RunOptions, type RunResult } from './run/runner.js';
import { StatsSwitch } from './run/stats.js';
import { type ProgArrayReader, arrayBackedProgArray } from './run/tail-call.js';
import { CpuThreads, type CpuThreadsOptions, type ThreadBatch } from './workers/cpu-threads.js';
import { runsOnThread } from './workers/worker-safe.js';
import { SYSCALL_TASK, type Task, TaskStructs } from './tasks.js';
import { type SliceOptions, type TestRunAttr, type TestRunEnv, type TestRunResult, testRun, testRunSliced } from './test-run/index.js';
import type { ProgramVerifier } from './verify/types.js';

/** Contexts laid out one after another in the arena, for Kernel.runBatch. */
export interface ContextBatch {
  /** Address of the first context. */
  readonly base: number;
  /** Bytes from one context to the next. */
  readonly stride: number;
  readonly count: number;
  /** Where the r0s go: count u64s. */
  readonly out: number;
}

/** The kernel's ports (ports.ts): the three it cannot do without, and the rest with defaults. */
export interface KernelPorts {
  readonly maps: MapProvider;
  readonly verifier: ProgramVerifier;
  readonly compiler: ProgramCompiler;
  /** Default: lines are dropped. */
  readonly trace?: TraceOutput;
  /** Default: the host's clocks. */
  readonly clock?: Clock;
  /** Default: Math.random. */
  readonly random?: RandomSource;
  /** Default: PROG_ARRAY maps whose values are program ids. */
  readonly progArray?: ProgArrayReader;
  /** Default: the loopback device alone. */
  readonly devices?: NetDevices;
}

export interface KernelOptions {
  /** The kernel's memory; a map provider on the same arena shares it. Default: a new arena. */
  readonly arena?: Arena;
  /** Simulated CPUs (per-CPU maps must be built for as many). Default 1. */
  readonly cpus?: number;
  /** `current` when a client's bpf(2) call runs a program. */
  readonly syscallTask?: Task;
  /** kernel.bpf_stats_enabled: keep run_time_ns and run_cnt (a switch BPF_ENABLE_STATS turns on). Default true. */
  readonly stats?: boolean | StatsSwitch;
  /**
   * Run batches on worker threads, one per simulated CPU (workers/cpu-threads.ts), for programs
   * that may (workers/worker-safe.ts); the others, and single runs, stay on the calling thread.
   * true means `{ helpOnMain: true }` (CpuThreadsOptions). Default false: every CPU runs on the
   * calling thread, one after another.
   */
  readonly cpuThreads?: boolean | CpuThreadsOptions;
}

/**
 * The simulated kernel's program side: one shared arena (maps, contexts, packets, stacks), the
 * program table, CPUs, helpers, BPF_PROG_LOAD, BPF_PROG_TEST_RUN, program info and close. Pure:
 * everything outside comes through the ports. Hooks (links), worker-thread CPUs and the
 * simulated world build on `run`.
 */
export class Kernel {
  readonly arena: Arena;
  readonly cpus: readonly Cpu[];
  readonly helpers: HelperRegistry;
  readonly #ports: KernelPorts;
  readonly #clock: Clock;
  readonly #maps: KernelMaps;
  readonly #table: ProgramTable;
  readonly #runner: ProgramRunner;
  readonly #devices: NetDevices;
  readonly #syscallTask: Task;
  /** The kernel's clocks: the Clock port plus the virtual time the simulated world ran ahead (helpers/virtual-clock.ts). */
  readonly clock: VirtualClock;
  /** Whether runs count run_time_ns and run_cnt now (BPF_ENABLE_STATS, run/stats.ts). */
  readonly stats: StatsSwitch;
  /** The CPUs' worker threads (KernelOptions.cpuThreads), or undefined; `threads.close()` ends them. */
  readonly threads: CpuThreads | undefined;
  /** The kfuncs (kfuncs/index.ts), by BTF id. */
  readonly kfuncs: KfuncRegistry;
  /** The per-CPU variables typed ksyms name (kfuncs/percpu-vars.ts). */
  readonly percpu: PerCpuVars;
  /** Where the task kfuncs find tasks: the world's kernel objects, once a Simulation is built on this kernel. */
  readonly taskRefs: TaskRefsHolder = { taskRefs: undefined };

  constructor(ports: KernelPorts, options: KernelOptions = {}) {
    this.arena = options.arena ?? new Arena();
    if (!(this.arena.memory.buffer instanceof SharedArrayBuffer)) throw new BpfError('EINVAL', 'kernel: the arena memory must be shared (CPUs are worker threads)');
    const cpus = options.cpus ?? 1;
    if (!Number.isInteger(cpus) || cpus < 1) throw new BpfError('EINVAL', `kernel: cpus must be a whole number from 1, got ${cpus}`);
    this.#ports = ports;
    this.clock = new VirtualClock(ports.clock ?? systemClock());
    this.#clock = this.clock;
    this.#devices = ports.devices ?? loopbackOnly;
    this.#syscallTask = options.syscallTask ?? SYSCALL_TASK;
    this.stats = options.stats instanceof StatsSwitch ? options.stats : new StatsSwitch(options.stats ?? true);
    const tasks = new TaskStructs(this.arena);
    const random = ports.random ?? mathRandom;
    // Each CPU's prandom state is seeded from the random source, as Linux seeds bpf_user_rnd_state.
    const seed = (): bigint => (BigInt(random.nextU32() >>> 0) << 32n) | BigInt(random.nextU32() >>> 0);
    this.cpus = Array.from({ length: cpus }, (_, i) => new Cpu(i, this.arena, (task) => tasks.addressOf(task), seed()));
    this.#maps = new KernelMaps(this.arena, ports.maps);
    const memory = new KernelMemory(this.arena);
    this.percpu = new PerCpuVars(this.arena, kernelBtf(), cpus);
    this.kfuncs = kernelKfuncs(kernelBtf(), this.taskRefs);
    this.helpers = kernelHelpers({
      percpu: this.percpu,
      arena: this.arena,
      memory,
      maps: this.#maps,
      tasks,
      clock: this.#clock,
      random,
      trace: ports.trace ?? discardTrace,
      programs: { hold: (id) => void this.hold(id), put: (id) => this.close(id) },
    });
    const threads = options.cpuThreads;
    this.threads = threads ? new CpuThreads({ memory: this.arena.memory, helpers: this.helpers }, threads === true ? {} : threads) : undefined;
    this.#table = new ProgramTable((program) => this.#free(program));
    this.#runner = new ProgramRunner({
      memory: this.arena.memory,
      helpers: this.helpers,
      kfuncs: this.kfuncs,
      maps: this.#maps,
      progArray: ports.progArray ?? arrayBackedProgArray(memory),
      clock: this.#clock,
      program: (id) => this.#table.find(id),
      stats: this.stats,
      ...(this.threads && { threads: this.threads }),
    });
  }

  /** BPF_PROG_LOAD (load/loader.ts). */
  load(attr: ProgLoadAttr): Promise<LoadResult> {
    return loadProgram(
      {
        maps: this.#maps,
        verifier: this.#ports.verifier,
        compiler: this.#ports.compiler,
        table: this.#table,
        clock: this.#clock,
        implemented: implementsHelper(this.helpers),
        btf: btfTableOf(this),
        kfuncs: this.kfuncs,
        percpu: this.percpu,
      },
      attr,
    );
  }

  /** The loaded program with this id; ENOENT when there is none. */
  program(id: number): LoadedProgram {
    return this.#table.get(id);
  }

  /** BPF_OBJ_GET_INFO_BY_FD for a program. */
  info(id: number): ProgInfo {
    return programInfo(this.#table.get(id));
  }

  /** CLOCK_REALTIME at boot (monotonic 0), ns since the epoch: a load_time plus this is wall-clock time. */
  bootTime(): bigint {
    return this.#clock.realtimeNs() - this.#clock.monotonicNs();
  }

  /** Drops a reference to a program (bpf_prog_put), as links and other holders do; ENOENT when there is no such program. A client's close is `closeHandle`. */
  close(id: number): void {
    this.#table.put(id);
  }

  /** Takes a reference for something that holds the program (a link, a program array). */
  hold(id: number): LoadedProgram {
    return this.#table.hold(id);
  }

  /** close(2) of the loader's handle: ENOENT for no such program, EBADF when closed already (programs/table.ts). */
  closeHandle(id: number): void {
    this.#table.closeHandle(id);
  }

  /** BPF_OBJ_PIN's reference on a program, for the pin at `path`; `unpin` drops it (the last reference frees the program). */
  pin(id: number, path: string): void {
    this.#table.pin(id, path);
  }

  unpin(id: number, path: string): void {
    this.#table.unpin(id, path);
  }

  /** The paths program `id` is pinned at. */
  pinsOf(id: number): string[] {
    return this.#table.pinsOf(id);
  }

  /** BPF_PROG_GET_NEXT_ID. */
  nextId(start: number): number {
    return this.#table.nextId(start);
  }

  /** BPF_PROG_TEST_RUN (test-run/). Freed packets and contexts become reusable once no CPU runs a program. */
  testRun(id: number, attr: TestRunAttr): TestRunResult {
    const program = this.#table.get(id);
    try {
      return testRun(this.#testRunEnv(), program, attr);
    } finally {
      if (!this.cpus.some((cpu) => cpu.busy)) this.arena.quiescent();
    }
  }

  /**
   * BPF_PROG_TEST_RUN in slices that let other work run between them, with a deadline (EINTR;
   * test-run/repeats.ts): what the service calls. Holds the program until the run ends, as the
   * kernel holds its fd, so a close meanwhile frees it only afterwards.
   */
  async testRunSliced(id: number, attr: TestRunAttr, options?: SliceOptions): Promise<TestRunResult> {
    const program = this.#table.hold(id);
    try {
      return await testRunSliced(this.#testRunEnv(), program, attr, options);
    } finally {
      this.#table.put(id);
      if (!this.cpus.some((cpu) => cpu.busy)) this.arena.quiescent();
    }
  }

  #testRunEnv(): TestRunEnv {
    return { arena: this.arena, cpus: this.cpus, devices: this.#devices, clock: this.#clock, task: this.#syscallTask, run: (p, cpu, ctx, options) => this.run(p, cpu, ctx, options) };
  }

  /** Calls bpf function `address` of `program` on an idle `cpu` outside a run (ProgramRunner.callFunction): how bpf_timer callbacks fire. */
  callFunction(program: LoadedProgram, cpu: Cpu, address: bigint, args: readonly bigint[], options?: RunOptions): bigint {
    return this.#runner.callFunction(program, cpu, address, args, options);
  }

  /** True while `program` is loaded (not freed): a callback of a freed program must not be called. */
  isLoaded(program: LoadedProgram): boolean {
    return this.#table.find(program.id) === program;
  }

  /** Runs `program` on `cpu` with its context at `ctx`: what hooks and test_run call. */
  run(program: LoadedProgram, cpu: Cpu, ctx: number, options?: RunOptions): RunResult {
    return this.#runner.run(program, cpu, ctx, options);
  }

  /**
   * Runs `program` on `cpu` once per context of `batch` (contexts at base + i * stride in the arena,
   * each r0 stored as a u64 at out + i * 8) in one call into WebAssembly: what batching hooks call.
   * The helpers see one run state for the whole batch (its ctx is the first context, no packet),
   * so only programs whose helpers need nothing per run may run this way (hooks/batchable.ts).
   * Counts `count` runs. A run that faults stops the batch (EFAULT); the r0s after it are not set.
   */
  runBatch(program: LoadedProgram, cpu: Cpu, batch: ContextBatch, options?: RunOptions): void {
    this.#runner.runBatch(program, cpu, batch, options);
  }

  /**
   * Runs several batches as runBatch does, one per CPU (no CPU twice): those of programs that may
   * run on a CPU thread (workers/worker-safe.ts) all at once on their CPUs' threads when the
   * kernel has them, the others one after another here. Returns, per batch, undefined or the
   * error that stopped it (EFAULT), instead of throwing.
   */
  runBatches(batches: readonly ThreadBatch[], options?: RunOptions): (Error | undefined)[] {
    const errors: (Error | undefined)[] = batches.map(() => undefined);
    const threaded = this.threads ? batches.flatMap((b, i) => (runsOnThread(b.program) ? [i] : [])) : [];
    if (threaded.length > 0) {
      const results = this.#runner.runBatchesOnThreads(threaded.map((i) => batches[i]!), options);
      threaded.forEach((i, k) => (errors[i] = results[k]));
    }
    batches.forEach((b, i) => {
      if (threaded.includes(i)) return;
      try {
        this.runBatch(b.program, b.cpu, b.batch, options);
      } catch (e) {
        errors[i] = e instanceof Error ? e : new Error(String(e));
      }
    });
    return errors;
  }

  #free(program: LoadedProgram): void {
    this.#runner.forget(program, this.cpus);
    for (const map of program.maps) this.#maps.put(map.id);
    releaseProgBtf(btfTableOf(this), program.btf);
  }
}
