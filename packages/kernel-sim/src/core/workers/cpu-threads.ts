import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { type CallArgs, type HelperRegistry, JitExecutionError } from '@bpfhive/jit';
import { BpfError } from '@bpfhive/uapi';
import type { ContextBatch } from '../kernel.js';
import type { LoadedProgram } from '../programs/program.js';
import type { Cpu } from '../run/cpu.js';
import { type BatchSummary, summarizeBatch } from './batch-summary.js';
import { CpuWorker, RemoteExit } from './cpu-worker-handle.js';
import { Bell, CONTROL_BYTES, DOORBELL_BYTES, Long, Reply, State, type WorkerSetup, Word, errorText, parseErrorText, readText, waitChange, writeText } from './protocol.js';

/** One batch for one CPU's thread. */
export interface ThreadBatch {
  readonly program: LoadedProgram;
  readonly cpu: Cpu;
  readonly batch: ContextBatch;
  /**
   * Writes the batch's contexts (and what they point to), when that waits until the batch is
   * due: CpuThreads.run calls it just before it hands the batch to its thread, or before main
   * runs it, so main fills the others while the first ones run. Only CpuThreads.run calls it
   * (Kernel.runBatches passes it on for programs that run on threads, runsOnThread).
   */
  readonly fill?: () => void;
  /** Sum the r0s where the batch runs, into this summary (batch-summary.ts), once it ended without an error. */
  readonly summary?: BatchSummary;
}

export interface CpuThreadsDeps {
  readonly memory: WebAssembly.Memory;
  /** The kernel's helpers: calls the JIT did not inline are served here, on the main thread. */
  readonly helpers: HelperRegistry;
}

export interface CpuThreadsOptions {
  /**
   * Main runs one CPU's batch itself while the threads run the others, and takes back the
   * batches no thread claimed by then (CpuThreads.run). Default true; false runs every batch on
   * its thread (what tests of the threads themselves want).
   */
  readonly helpOnMain?: boolean;
}

/** Loads of the doorbell before main sleeps on it while its CPUs run. */
const MAIN_SPINS = 2_000;
/**
 * Loads of its control word a worker spins on between batches before it sleeps, while every
 * thread that runs batches (main included) has a core of its own: some tens of µs, about the gap
 * between one batch and the next while traffic flows (main applies verdicts and copies frames in).
 * A sleeping worker costs main a futex wake and the batch the wake-up latency, and main, helping,
 * takes back a batch its thread did not claim while main ran its own: so the thread did nothing.
 */
const IDLE_SPINS_OWN_CORE = 10_000;
/** The same when the threads share cores: a spinning thread would take a core from one with work. */
const IDLE_SPINS_SHARED = 100;

/**
 * Helping, a thread whose batch ends later than LATE_FACTOR times main's own batch time plus
 * LATE_MS after main's own ended was late: it counts as missed (descheduled mid-batch on a busy
 * machine, it made main wait instead of run).
 */
const LATE_FACTOR = 4;
const LATE_MS = 0.2;
/** Take-backs (or late ends), more than claims, after which a thread rests (missed); the first rest and the longest, in ms. */
const MISSES_BEFORE_REST = 4;
const FIRST_REST_MS = 1;
const MAX_REST_MS = 128;
/** Batches in a row a thread claims in time after which its next rest is FIRST_REST_MS again. */
const CLAIMS_TO_RECOVER = 64;

/** How long a new worker may take to load its script before its CPU's batch fails (a loaded machine is slow to start one). */
const STARTUP_MS = 30_000;

/**
 * The simulated CPUs as worker threads (DESIGN.md §4, §5): one worker per CPU, started on its
 * first batch, each holding its own instance of every program it ran (compiled from the module's
 * bytes, over the kernel's shared memory and its CPU's kernel data block) and running on its CPU's
 * stack. `run` hands each CPU its batch through its control block (protocol.ts: no message per
 * batch), lets them run at the same time, and serves the helper calls they make on this thread,
 * one at a time, until every batch ended. Main stays the only thread that runs JavaScript of the
 * kernel: map engines (their free lists, grace periods and growth), ring buffers, trace output —
 * so the workers need no locks beyond the atomics the engines and the JIT already use for the
 * memory itself. A worker never allocates.
 *
 * What runs here (runsOnThread, worker-safe.ts) is for the caller to decide; the caller also
 * enters each CPU's run state on main first (ProgramRunner.runBatchesOnThreads), since helpers served here
 * read it. The workers are unref'd (they keep no process alive); `close` ends them.
 */
export class CpuThreads {
  readonly #workers = new Map<Cpu, CpuWorker>();
  readonly #doorbell = new SharedArrayBuffer(DOORBELL_BYTES);
  readonly #bell = new Int32Array(this.#doorbell);
  readonly #helpOnMain: boolean;
  readonly #counts = { onThreads: 0, onMain: 0 };
  #closed = false;
  #u32: Uint32Array | undefined;

  constructor(
    private readonly deps: CpuThreadsDeps,
    options: CpuThreadsOptions = {},
  ) {
    this.#helpOnMain = options.helpOnMain ?? true;
  }

  /** Threads running now (started on their CPUs' first batches). */
  get started(): number {
    return this.#workers.size;
  }

  /** Batches run so far on the CPUs' threads and, taken back, on main. */
  get batches(): { readonly onThreads: number; readonly onMain: number } {
    return { ...this.#counts };
  }

  /**
   * Runs every batch at once, each on its CPU's thread (one batch per CPU), and returns, per batch,
   * undefined or the error that stopped it (a JitExecutionError, as a run on main throws). The r0s
   * are at each batch's `out` when it returns. `runHere` runs a batch on this thread, with the
   * CPU's instance here; with `helpOnMain` (CpuThreadsOptions) main runs the last batch itself while
   * the threads run the others, then takes back each batch whose thread has not claimed it yet
   * (a thread not scheduled on a busy machine) and runs it too: a batch runs exactly once, on its
   * CPU's stack and kernel data block either way. A thread that keeps missing its batches (taken
   * back, or ended far later than main's own) rests: main runs its batches without offering them,
   * for a time that doubles while it keeps missing (missed; handsOver tells callers). Without
   * `helpOnMain`, every batch runs on its thread. Each batch is filled (ThreadBatch.fill) just
   * before it is offered or run here, and summed (ThreadBatch.summary) where it ran.
   */
  run(batches: readonly ThreadBatch[], runHere: (batch: ThreadBatch) => void): (Error | undefined)[] {
    if (new Set(batches.map((b) => b.cpu)).size !== batches.length) throw new BpfError('EINVAL', 'cpu threads: one batch per CPU at a time');
    const errors: (Error | undefined)[] = batches.map(() => undefined);
    const done = batches.map(() => false);
    const offered = batches.map(() => false);
    let running = batches.length;
    const here = (i: number): void => {
      const b = batches[i]!;
      try {
        // A batch taken back from its thread was filled when it was offered.
        if (!offered[i]) b.fill?.();
        runHere(b);
        if (b.summary) summarizeBatch(this.#memoryU32(), b.batch.base, b.batch.stride, b.batch.count, b.batch.out, b.summary);
      } catch (e) {
        errors[i] = e instanceof Error ? e : new Error(String(e));
      }
      done[i] = true;
      running--;
      this.#counts.onMain++;
    };
    if (this.#closed) {
      // Closed: the kernel goes on, one CPU after another on this thread.
      batches.forEach((_, i) => here(i));
      return errors;
    }
    const own = this.#helpOnMain ? batches.length - 1 : -1;
    const now = own >= 0 ? performance.now() : 0;
    // The threads of the CPUs whose batches are offered (main's own CPU needs none for this run).
    const workers = batches.map((b, i) => (i === own ? undefined : this.#workerFor(b.cpu)));
    batches.forEach((b, i) => {
      // Helping, main keeps the batches of a thread that rests (it missed its last ones).
      if (i === own || (own >= 0 && workers[i]!.restUntil > now)) return;
      this.#offer(workers[i]!, b);
      offered[i] = true;
    });
    // Helping: when main's own batch ended, and how long it took (a thread that ends its batch far later was late).
    let ownEnd = 0;
    let ownMs = 0;
    if (own >= 0) {
      const start = performance.now();
      here(own);
      ownEnd = performance.now();
      ownMs = ownEnd - start;
      for (let i = own - 1; i >= 0; i--) {
        if (!offered[i]) {
          here(i);
        } else if (Atomics.compareExchange(workers[i]!.i32, Word.STATE, State.RUN, State.IDLE) === State.RUN) {
          here(i);
          missed(workers[i]!);
        }
      }
    }
    while (running > 0) {
      const rung = Atomics.load(this.#bell, Bell.RUNG);
      let progressed = false;
      for (let i = 0; i < workers.length; i++) {
        if (done[i]) continue;
        const w = workers[i]!;
        const state = Atomics.load(w.i32, Word.STATE);
        if (state === State.HELPER) {
          this.#serve(w);
          progressed = true;
        } else if (state === State.DONE || state === State.FAILED) {
          if (state === State.FAILED) errors[i] = threadError(readText(w.control, w.i32));
          Atomics.store(w.i32, Word.STATE, State.IDLE);
          done[i] = true;
          running--;
          this.#counts.onThreads++;
          if (own >= 0) {
            if (performance.now() - ownEnd > LATE_FACTOR * ownMs + LATE_MS) missed(w);
            else claimed(w);
          }
          progressed = true;
        }
      }
      if (progressed || running === 0) continue;
      if (waitChange(this.#bell, Bell.RUNG, rung, MAIN_SPINS, 1000) !== rung) continue;
      // A second without a ring: a worker that never started (its script failed to load) fails its batch.
      for (let i = 0; i < workers.length; i++) {
        if (done[i] || !workers[i]!.stalled(STARTUP_MS)) continue;
        const w = workers[i]!;
        errors[i] = new BpfError('EFAULT', `cpu ${w.cpu.index}: its thread did not start within ${STARTUP_MS} ms`);
        done[i] = true;
        running--;
        // Its CPU's next batch starts a new one.
        this.#workers.delete(w.cpu);
        void w.close();
      }
    }
    return errors;
  }

  /**
   * Whether `run` would hand any of a round of batches on `cpus` (one each; helping, main's own
   * the last) to a thread now. When not (helping, and the others' threads rest, or there is only
   * main's own), the caller may run them as one thread does, without `run`: they are counted as
   * `batches` batches on main here.
   */
  handsOver(cpus: readonly Cpu[], batches = cpus.length): boolean {
    if (!this.#closed) {
      if (!this.#helpOnMain) return cpus.length > 0;
      const now = performance.now();
      for (let i = 0; i < cpus.length - 1; i++) {
        const w = this.#workers.get(cpus[i]!);
        if (!w || w.restUntil <= now) return true;
      }
    }
    this.#counts.onMain += batches;
    return false;
  }

  /** Drops `program`'s instances on every thread (it was freed). */
  forget(program: LoadedProgram): void {
    for (const w of this.#workers.values()) {
      if (w.programs.delete(program.id)) w.post({ kind: 'forget', id: program.id });
    }
  }

  /** Ends every thread; batches run on main from then on. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = [...this.#workers.values()];
    this.#workers.clear();
    await Promise.all(workers.map((w) => w.close()));
  }

  /** Hands `w` its batch (State RUN): the program first if the thread does not have it. */
  #offer(w: CpuWorker, { program, cpu, batch, fill, summary }: ThreadBatch): void {
    fill?.();
    if (!w.programs.has(program.id)) {
      const names = Object.fromEntries(program.compiled.needs.helpers.map((id) => [id, this.deps.helpers.get(id)?.name ?? `helper ${id}`]));
      w.post({ kind: 'program', id: program.id, bytes: program.compiled.bytes, needs: { ...program.compiled.needs }, names });
      w.programs.add(program.id);
    }
    const { i32, i64 } = w;
    i32[Word.PROGRAM] = program.id;
    i64[Long.BASE] = BigInt(batch.base);
    i64[Long.STRIDE] = BigInt(batch.stride);
    i64[Long.COUNT] = BigInt(batch.count);
    i64[Long.OUT] = BigInt(batch.out);
    i64[Long.FP] = BigInt.asIntN(64, cpu.fp);
    i64[Long.SUMMARY] = BigInt(summary?.at ?? 0);
    if (summary) {
      i64[Long.LIST] = BigInt(summary.list);
      i64[Long.COMMON] = BigInt(summary.common);
      i64[Long.FIELD] = BigInt(summary.field);
      i64[Long.BUCKETS] = BigInt(summary.buckets);
    }
    Atomics.store(i32, Word.STATE, State.RUN);
    Atomics.notify(i32, Word.STATE);
  }

  /** Sets how long workers spin between batches (Bell.IDLE_SPINS) for the threads started now and main. */
  #spinBudget(): void {
    const threads = this.#workers.size + 1;
    Atomics.store(this.#bell, Bell.IDLE_SPINS, threads <= availableParallelism() ? IDLE_SPINS_OWN_CORE : IDLE_SPINS_SHARED);
  }

  /** The kernel's memory as u32s, as it is now. */
  #memoryU32(): Uint32Array {
    const buffer = this.deps.memory.buffer;
    if (!this.#u32 || this.#u32.byteLength !== buffer.byteLength) this.#u32 = new Uint32Array(buffer);
    return this.#u32;
  }

  /** Serves the helper call worker `w` waits on, with its CPU as env.data, and wakes it. */
  #serve(w: CpuWorker): void {
    const { i32, i64 } = w;
    const id = i32[Word.HELPER]!;
    const args: CallArgs = [0, 1, 2, 3, 4].map((k) => BigInt.asUintN(64, i64[Long.ARG + k]!)) as unknown as CallArgs;
    try {
      const helper = this.deps.helpers.get(id);
      if (!helper) throw new BpfError('EFAULT', `helper ${id} is not available`);
      i64[Long.R0] = BigInt.asIntN(64, helper.fn(args, w.env(this.deps.memory)));
      i32[Word.REPLY] = Reply.RETURN;
    } catch (e) {
      if (e instanceof RemoteExit) {
        i64[Long.R0] = BigInt.asIntN(64, e.r0);
        i32[Word.REPLY] = Reply.EXIT;
      } else {
        writeText(w.control, i32, errorText(e));
        i32[Word.REPLY] = Reply.THROW;
      }
    }
    Atomics.store(i32, Word.STATE, State.REPLIED);
    Atomics.notify(i32, Word.STATE);
  }

  #workerFor(cpu: Cpu): CpuWorker {
    let w = this.#workers.get(cpu);
    if (!w) {
      const control = new SharedArrayBuffer(CONTROL_BYTES);
      const { port1, port2 } = new MessageChannel();
      const setup: WorkerSetup = { cpu: cpu.index, memory: this.deps.memory, kernelData: cpu.kernelData.address, control, doorbell: this.#doorbell, port: port2 };
      const worker = new Worker(workerScript(), { workerData: setup, transferList: [port2] });
      worker.unref();
      w = new CpuWorker(cpu, control, worker, port1);
      this.#workers.set(cpu, w);
      this.#spinBudget();
      // A thread that failed or ended (it should not: its loop catches what a batch throws) is
      // replaced on its CPU's next batch. Its events come between batches, while main is not
      // waiting; a thread that never starts fails its batch after STARTUP_MS (run).
      const self = w;
      const gone = (): void => {
        if (this.#workers.get(cpu) === self) this.#workers.delete(cpu);
        this.#spinBudget();
      };
      worker.on('error', gone);
      worker.on('exit', gone);
    }
    return w;
  }
}

/**
 * A thread missed its batch (main took it back, unclaimed, or it ended late): after
 * MISSES_BEFORE_REST more misses than batches it claimed in time (claimed) it rests, main
 * running its CPU's batches for a while (FIRST_REST_MS, doubling up to MAX_REST_MS while it keeps
 * missing when offered again), so that a thread the machine does not schedule costs main neither
 * the offers nor the take-backs nor the waits, and it sleeps instead of spinning.
 */
function missed(w: CpuWorker): void {
  w.claimed = 0;
  if (++w.missed < MISSES_BEFORE_REST) return;
  w.missed = 0;
  w.rest = Math.min(MAX_REST_MS, w.rest === 0 ? FIRST_REST_MS : 2 * w.rest);
  w.restUntil = performance.now() + w.rest;
}

/** A thread claimed its batch and ended it in time: one miss forgiven; CLAIMS_TO_RECOVER in a row end its rests' doubling. */
function claimed(w: CpuWorker): void {
  if (w.missed > 0) w.missed--;
  if (++w.claimed < CLAIMS_TO_RECOVER) return;
  w.claimed = 0;
  w.rest = 0;
}

/** The error a thread's batch stopped on, as a run on main would have thrown it (a JitExecutionError for faults). */
function threadError(text: string): Error {
  const { code, message } = parseErrorText(text);
  if (code === 'EFAULT' && message.startsWith('run: ')) return new JitExecutionError(message.slice('run: '.length));
  return code ? new BpfError(code, message) : new Error(message);
}

/**
 * The worker's script: cpu-worker.js beside this file in dist/; when this file runs from src/
 * (the package's tests), the built one in dist/ (tests run after the package's build).
 */
function workerScript(): URL {
  const here = new URL('./cpu-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL(here.href.replace('/src/core/workers/', '/dist/core/workers/'));
  if (existsSync(fileURLToPath(built))) return built;
  throw new BpfError('ENOENT', `cpu threads: no worker script at ${fileURLToPath(here)} or ${fileURLToPath(built)} (build @bpfhive/kernel-sim first)`);
}
