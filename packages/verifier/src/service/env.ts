import { type NatsConnectOptions, natsConnectOptions } from '@bpfhive/uapi';
import { DEFAULT_WORKER_HEAP_MB, defaultVerifierWorkers } from './verify-pool.js';

/**
 * The verifier service's configuration: environment variables only (documented in the root README).
 *   NATS_URL, NATS_USER, NATS_PASSWORD, NATS_TOKEN   the NATS server and login (uapi natsConnectOptions)
 *   VERIFIER_WORKERS   worker threads that verify (default max(2, CPUs)); with 2 or more, one of
 *                      them takes light programs only (service/program-weight.ts); 0: verify on
 *                      the service's own thread, one request at a time
 *   VERIFIER_WORKER_HEAP_MB   each worker's V8 heap limit in MiB, the memory budget of one
 *                      verification: one that needs more fails with ENOMEM (default 1024)
 */
export interface VerifierConfig {
  readonly nats: NatsConnectOptions;
  /** Worker threads; 0 for none. */
  readonly workers: number;
  /** Each worker's heap limit in MiB. */
  readonly workerHeapMb: number;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim();
  const value = text ? Number(text) : fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${env[name]}`);
  return value;
}

export function readVerifierConfig(env: NodeJS.ProcessEnv): VerifierConfig {
  return {
    nats: natsConnectOptions(env),
    workers: wholeNumber(env, 'VERIFIER_WORKERS', defaultVerifierWorkers(), 0, 256),
    workerHeapMb: wholeNumber(env, 'VERIFIER_WORKER_HEAP_MB', DEFAULT_WORKER_HEAP_MB, 64, 65536),
  };
}
