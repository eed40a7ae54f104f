import type { MessagePort, Worker } from 'node:worker_threads';
import { AddressSpace, type CallEnv } from '@bpfhive/jit';
import { BpfError } from '@bpfhive/uapi';
import type { Cpu } from '../run/cpu.js';
import { I64_AT, LONGS, State, type WorkerMessage, Word } from './protocol.js';

/** A helper that ended its run through env.exit, on main: the worker ends the run with r0. */
export class RemoteExit {
  constructor(readonly r0: bigint) {}
}

/** One CPU's worker thread and what main keeps of it: its control block, the programs it has, its helpers' env. */
export class CpuWorker {
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;
  /** Programs handed to it (their ids). */
  readonly programs = new Set<number>();
  /**
   * Helping (CpuThreads): its batches main took back or it ended late, less those it claimed in
   * time; batches claimed in time in a row; its current rest (ms) and when it ends (performance.now()).
   */
  missed = 0;
  claimed = 0;
  rest = 0;
  restUntil = 0;
  readonly #port: MessagePort;
  #env: CallEnv | undefined;
  #envBytes = -1;

  readonly #born = Date.now();

  constructor(
    readonly cpu: Cpu,
    readonly control: SharedArrayBuffer,
    readonly worker: Worker,
    port: MessagePort,
  ) {
    this.i32 = new Int32Array(control);
    this.i64 = new BigInt64Array(control, I64_AT, LONGS);
    this.#port = port;
  }

  /** True when the worker has not loaded its script `ms` after it was made. */
  stalled(ms: number): boolean {
    return Atomics.load(this.i32, Word.READY) === 0 && Date.now() - this.#born > ms;
  }

  post(message: WorkerMessage): void {
    this.#port.postMessage(message);
    Atomics.add(this.i32, Word.POSTED, 1);
  }

  /** What helpers served for this CPU see: the CPU as env.data, the memory as it is now. */
  env(memory: WebAssembly.Memory): CallEnv {
    const bytes = memory.buffer.byteLength;
    if (!this.#env || bytes !== this.#envBytes) {
      this.#envBytes = bytes;
      this.#env = {
        memory: new AddressSpace([{ name: 'kernel memory', base: 0n, bytes: new Uint8Array(memory.buffer), writable: true }]),
        insnIndex: -1,
        frameDepth: 0,
        data: this.cpu,
        exit: (r0: bigint): never => {
          throw new RemoteExit(r0);
        },
        callFunction: (): bigint => {
          throw new BpfError('EFAULT', `cpu ${this.cpu.index}: a callback of a program on a CPU thread cannot run from the main thread`);
        },
      };
    }
    return this.#env;
  }

  close(): Promise<number> {
    Atomics.store(this.i32, Word.STATE, State.STOP);
    Atomics.notify(this.i32, Word.STATE);
    this.#port.close();
    return this.worker.terminate();
  }
}
