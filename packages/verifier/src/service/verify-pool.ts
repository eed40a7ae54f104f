import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { VerifyReply, VerifyRequest } from '@bpfhive/uapi';
import { isLightProgram } from './program-weight.js';
import { WorkerPool } from './worker-pool.js';

/** The pool size when VERIFIER_WORKERS is not set: every CPU, and never fewer than 2 (one general worker, one light lane). */
export function defaultVerifierWorkers(): number {
  return Math.max(2, availableParallelism());
}

/**
 * The built worker file, dist/worker/verify-worker.js. Run from dist, it is beside this module's
 * folder; run from src (vitest transforms .ts on the fly, but a worker thread is plain Node), it
 * is the package's build, as for the tests that start dist/main.js. Throws when it is missing.
 */
export function verifyWorkerFile(moduleUrl: string = import.meta.url): URL {
  const fromSource = /\.ts$/.test(fileURLToPath(moduleUrl));
  const file = new URL(fromSource ? '../../dist/worker/verify-worker.js' : '../worker/verify-worker.js', moduleUrl);
  if (!existsSync(file)) throw new Error(`verifier: the worker thread's file ${fileURLToPath(file)} is missing; run \`npm run build\` in packages/verifier`);
  return file;
}

/**
 * The V8 heap a worker may use when VERIFIER_WORKER_HEAP_MB is not set. A 1,000,000-instruction
 * verification (bench/verify.mjs) runs in 128 MiB and not in 64; this leaves room for programs
 * that keep many more states.
 */
export const DEFAULT_WORKER_HEAP_MB = 1024;

export interface VerifyPoolOptions {
  /** Worker threads (default defaultVerifierWorkers()). */
  readonly workers?: number;
  /**
   * Each worker's V8 heap limit in MiB (default DEFAULT_WORKER_HEAP_MB): the memory budget of
   * one verification. A verification that needs more fails with ENOMEM; the others go on.
   */
  readonly heapMb?: number;
  /** The worker file (default verifyWorkerFile()). */
  readonly file?: URL;
}

/** A verifier pool: threads running verifyRequest, light programs (program-weight.ts) in the light lane. */
export class VerifyPool {
  private readonly pool: WorkerPool<VerifyRequest, VerifyReply>;

  constructor(options: VerifyPoolOptions = {}) {
    const file = options.file ?? verifyWorkerFile();
    const resourceLimits = { maxOldGenerationSizeMb: options.heapMb ?? DEFAULT_WORKER_HEAP_MB };
    this.pool = new WorkerPool({
      size: options.workers ?? defaultVerifierWorkers(),
      name: 'verify',
      spawn: () => new Worker(file, { name: 'bpfhive-verify', resourceLimits }),
    });
  }

  /** verifyRequest(request) on a worker thread: the same reply, or the same BpfError (or EFAULT/ENOMEM if the thread died). */
  verify(request: VerifyRequest): Promise<VerifyReply> {
    return this.pool.run(request, { light: isLightProgram(request.insns) });
  }

  stats() {
    return this.pool.stats();
  }

  /** Finishes the requests it took, then ends the worker threads. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
