import type { Worker } from 'node:worker_threads';
import { BpfError, type WireError } from '@bpfhive/uapi';
import type { WorkerMessage, WorkerTask } from '../worker/protocol.js';

/**
 * A pool of worker threads that run CPU-bound tasks (verifications) off the service's event
 * loop, so NATS traffic, $SRV.PING/STATS and other requests are answered while they run.
 *
 * Contract:
 * - `run(request, {light})` gives a task to an idle worker, or queues it. Every task settles
 *   exactly once: with the worker's reply, with the error its handler threw (rebuilt as a
 *   BpfError with the same errno name, message and log), or, when its worker thread dies under it
 *   (an uncaught exception, process.exit, running out of memory), with ENOMEM (out of memory) or
 *   EFAULT. A dead worker is replaced; the tasks queued behind it are not affected.
 * - Lanes (fairness): the last `lightLane` workers take light tasks only; the others take any.
 *   A worker that frees up takes the oldest queued task it may take, so tasks of one kind start
 *   in arrival order, heavy tasks cannot be starved by a stream of light ones (the general
 *   workers serve both in arrival order), and a light task waits at most for the light lane's
 *   current work (or a general worker), never behind every worker busy with heavy tasks.
 *   An idle light-lane worker is preferred for a light task, keeping general workers for heavy ones.
 * - A worker that dies before it said it is ready cannot start (a missing or broken worker
 *   file): its task fails with EFAULT and it is replaced only after `respawnDelayMs`, so a pool
 *   that cannot start workers fails its tasks one by one rather than spinning.
 * - `close()` takes no new tasks (EAGAIN: another replica may take it), finishes every task it
 *   took, queued ones included, then terminates the workers. Idle workers do not keep the
 *   process alive (they are unref'd while they have no task).
 */
export interface WorkerPoolOptions {
  /** How many worker threads, at least 1. */
  readonly size: number;
  /** How many of them serve light tasks only; at most size - 1. Default: 1 with 2 workers or more, else 0. */
  readonly lightLane?: number;
  /** Starts one worker thread that speaks worker/protocol.ts. */
  readonly spawn: () => Worker;
  /** The verb that prefixes error messages, e.g. "verify". */
  readonly name: string;
  /** Wait before replacing a worker that died before it was ready (default 1000 ms). */
  readonly respawnDelayMs?: number;
}

/** The pool's state, for STATS and tests. */
export interface WorkerPoolStats {
  readonly size: number;
  readonly light_lane: number;
  readonly busy: number;
  readonly queued: number;
  /** Workers that died and were replaced since the pool started. */
  readonly replaced: number;
}

interface Task<Req, Rep> {
  readonly id: number;
  readonly request: Req;
  readonly light: boolean;
  readonly resolve: (reply: Rep) => void;
  readonly reject: (error: Error) => void;
}

interface Slot<Req, Rep> {
  /** Undefined while a dead worker waits for its replacement. */
  worker?: Worker;
  ready: boolean;
  readonly lightOnly: boolean;
  task?: Task<Req, Rep>;
}

export class WorkerPool<Req, Rep> {
  private readonly slots: Slot<Req, Rep>[] = [];
  private readonly queue: Task<Req, Rep>[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly respawnTimers = new Set<NodeJS.Timeout>();
  private readonly lightLane: number;
  private nextId = 1;
  private replaced = 0;
  private closing?: Promise<void>;
  private terminated = false;

  constructor(private readonly options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`${options.name}: a worker pool needs at least 1 worker, got ${options.size}`);
    this.lightLane = options.lightLane ?? (options.size >= 2 ? 1 : 0);
    if (!Number.isInteger(this.lightLane) || this.lightLane < 0 || this.lightLane >= options.size) {
      throw new RangeError(`${options.name}: the light lane must leave a general worker (0..${options.size - 1}), got ${this.lightLane}`);
    }
    try {
      for (let i = 0; i < options.size; i++) {
        const slot: Slot<Req, Rep> = { ready: false, lightOnly: i >= options.size - this.lightLane };
        this.slots.push(slot);
        this.start(slot);
      }
    } catch (e) {
      // A pool that cannot start leaves no thread behind.
      this.terminated = true;
      for (const slot of this.slots) void slot.worker?.terminate();
      throw e;
    }
  }

  /** Runs `request` on a worker (see the class comment for lanes and errors). */
  run(request: Req, options: { light?: boolean } = {}): Promise<Rep> {
    if (this.closing) return Promise.reject(new BpfError('EAGAIN', `${this.options.name}: this service is shutting down; try again`));
    return new Promise<Rep>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request, light: options.light ?? false, resolve, reject });
      this.dispatch();
    });
  }

  stats(): WorkerPoolStats {
    return {
      size: this.slots.length,
      light_lane: this.lightLane,
      busy: this.slots.filter((s) => s.task).length,
      queued: this.queue.length,
      replaced: this.replaced,
    };
  }

  /** Takes no new tasks, finishes those taken, then ends every worker thread. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.idle();
      this.terminated = true;
      for (const timer of this.respawnTimers) clearTimeout(timer);
      await Promise.all(this.slots.map((s) => s.worker?.terminate()));
    })();
    return this.closing;
  }

  private idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.slots.every((s) => !s.task);
  }

  /** Idle workers, the light lane first, each take the oldest queued task they may take. */
  private dispatch(): void {
    const idle = this.slots.filter((s) => s.worker && !s.task).sort((a, b) => Number(b.lightOnly) - Number(a.lightOnly));
    for (const slot of idle) {
      const index = this.queue.findIndex((t) => t.light || !slot.lightOnly);
      if (index < 0) continue;
      const [task] = this.queue.splice(index, 1);
      slot.task = task!;
      slot.worker!.ref();
      slot.worker!.postMessage({ id: task!.id, request: task!.request } satisfies WorkerTask<Req>);
    }
    if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private start(slot: Slot<Req, Rep>): void {
    const worker = this.options.spawn();
    slot.worker = worker;
    slot.ready = false;
    worker.unref();
    worker.on('message', (message: WorkerMessage<Rep>) => {
      if (slot.worker !== worker) return;
      if ('ready' in message) {
        slot.ready = true;
        return;
      }
      const task = slot.task;
      if (!task || task.id !== message.id) return;
      if ('error' in message) this.finish(slot, () => task.reject(fromWireError(message.error)));
      else this.finish(slot, () => task.resolve(message.reply));
    });
    worker.on('messageerror', (e) => this.fail(slot, worker, new BpfError('EFAULT', `${this.options.name}: the worker's answer could not be read: ${e.message}`)));
    worker.on('error', (e) => this.died(slot, worker, e));
    worker.on('exit', (code) => this.died(slot, worker, new Error(`the worker thread exited with code ${code}`)));
  }

  /** Settles the slot's task (once) and hands the worker the next one. */
  private finish(slot: Slot<Req, Rep>, settle: () => void): void {
    slot.task = undefined;
    slot.worker?.unref();
    settle();
    this.dispatch();
  }

  /** The task on `worker` fails with `error`; the worker stays. */
  private fail(slot: Slot<Req, Rep>, worker: Worker, error: Error): void {
    const task = slot.task;
    if (slot.worker !== worker || !task) return;
    this.finish(slot, () => task.reject(error));
  }

  /** `worker` died (its 'error' and then its 'exit' both come here; the first one counts). */
  private died(slot: Slot<Req, Rep>, worker: Worker, cause: Error): void {
    if (slot.worker !== worker || this.terminated) return;
    const wasReady = slot.ready;
    const task = slot.task;
    slot.task = undefined;
    slot.ready = false;
    slot.worker = undefined;
    this.replaced++;
    if (task) task.reject(crashError(this.options.name, cause, wasReady));
    if (wasReady) this.restart(slot);
    else this.restartLater(slot);
    this.dispatch();
  }

  /** Starts the slot's worker again; a spawn that throws is retried later, never thrown into an event handler. */
  private restart(slot: Slot<Req, Rep>): void {
    try {
      this.start(slot);
    } catch {
      this.restartLater(slot);
    }
  }

  private restartLater(slot: Slot<Req, Rep>): void {
    const timer = setTimeout(() => {
      this.respawnTimers.delete(timer);
      if (this.terminated) return;
      this.restart(slot);
      this.dispatch();
    }, this.options.respawnDelayMs ?? 1000);
    timer.unref();
    this.respawnTimers.add(timer);
  }
}

/** The error for a task whose worker died: ENOMEM when V8 ran out of heap, else EFAULT. */
function crashError(name: string, cause: Error, wasReady: boolean): BpfError {
  const code = (cause as { code?: unknown }).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return new BpfError('ENOMEM', `${name}: the worker thread ran out of memory; the request was not verified (${cause.message})`, { cause });
  if (!wasReady) return new BpfError('EFAULT', `${name}: the worker thread could not start: ${cause.message}`, { cause });
  return new BpfError('EFAULT', `${name}: the worker thread crashed; the request was not verified (${cause.message})`, { cause });
}

/** The BpfError a worker's WireError stands for, its log kept (toWireError reads it back). */
function fromWireError(error: WireError): BpfError {
  const e = new BpfError(error.code, error.message);
  if (error.log !== undefined) Object.assign(e, { log: error.log });
  if (error.log_true_size !== undefined) Object.assign(e, { logTrueSize: error.log_true_size });
  return e;
}
