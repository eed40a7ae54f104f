import type { WireError } from '@bpfhive/uapi';

/**
 * The messages between a worker pool (service/worker-pool.ts) and its worker threads. A worker
 * takes one task at a time and answers it exactly once, with the same id: the reply, or the error
 * its handler threw as a WireError (a structured clone keeps neither the class nor the errno of a
 * BpfError, so the worker converts it). Once it can take tasks, a worker says so once with `ready`.
 */
export interface WorkerTask<Req> {
  readonly id: number;
  readonly request: Req;
}

export type WorkerAnswer<Rep> =
  | { readonly id: number; readonly reply: Rep }
  | { readonly id: number; readonly error: WireError };

export interface WorkerReady {
  readonly ready: true;
}

export type WorkerMessage<Rep> = WorkerAnswer<Rep> | WorkerReady;
