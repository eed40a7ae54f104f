import type { MessagePort } from 'node:worker_threads';

/**
 * The shared-memory protocol between the kernel (main thread) and a simulated CPU's worker thread
 * (cpu-worker.ts). Each worker has a control block, a SharedArrayBuffer of CONTROL_BYTES:
 *
 *   i32 words (Int32Array, Atomics):          i64 words from byte 64 (BigInt64Array):
 *     [STATE]      what happens now (State)      [BASE] [STRIDE] [COUNT] [OUT] [FP]   the batch
 *     [PROGRAM]    the batch's program id        [ARG + 0..4]                         r1..r5 of a helper call
 *     [HELPER]     the helper id of a call       [R0]                                 the helper's reply
 *                                                [SUMMARY] [LIST] [COMMON] [FIELD] [BUCKETS]
 *                                                    the batch's BatchSummary (batch-summary.ts;
 *                                                    SUMMARY 0: none), written after the runs
 *     [REPLY]      how the helper ended (Reply)
 *     [POSTED]     messages (WorkerMessage) main posted so far; [TAKEN] those the worker took
 *                  (it takes them, with receiveMessageOnPort, before each batch)
 *     [TEXT_LEN]   bytes of the error text at TEXT (utf-8)
 *     [READY]      1 once the worker's script loaded and waits for batches
 *
 * One batch at a time per worker: main writes the batch, stores RUN and notifies; the worker claims
 * it (compare-exchange RUN → TAKEN; main may have taken it back first, RUN → IDLE), runs it and
 * stores DONE or FAILED; a helper call in between stores HELPER, main serves it and stores
 * REPLIED, and the worker goes on (TAKEN again). Every store of STATE that the other side waits for
 * is followed by Atomics.notify on it; a worker also rings the doorbell (one i32 shared by all
 * workers, DOORBELL_BYTES) so main waits on one address for all of them; the doorbell's second
 * i32 (Bell.IDLE_SPINS) is how long workers spin between batches before they sleep, which main
 * sets as threads start (CpuThreads: long while every thread has a core). Plain reads and writes of
 * the other words are ordered by the atomic store and load of STATE.
 */
/** i64 words of the control block. */
export const LONGS = 16;
export const CONTROL_BYTES = 64 + LONGS * 8 + 1024;
export const DOORBELL_BYTES = 8;
/** i32 word indexes of the doorbell. */
export const Bell = { RUNG: 0, IDLE_SPINS: 1 } as const;

/** i32 word indexes. */
export const Word = { STATE: 0, PROGRAM: 1, HELPER: 2, REPLY: 3, POSTED: 4, TAKEN: 5, TEXT_LEN: 6, READY: 7 } as const;
/** i64 word indexes (of a BigInt64Array of LONGS words from byte I64_AT). */
export const Long = { BASE: 0, STRIDE: 1, COUNT: 2, OUT: 3, FP: 4, ARG: 5, R0: 10, SUMMARY: 11, LIST: 12, COMMON: 13, FIELD: 14, BUCKETS: 15 } as const;
export const I64_AT = 64;
/** Byte offset of the error text and its room. */
export const TEXT_AT = 64 + LONGS * 8;
export const TEXT_ROOM = 1024;

export const State = {
  /** Nothing to do: the worker waits for RUN. */
  IDLE: 0,
  /** A batch is offered (main): the worker claims it (TAKEN), or main takes it back (IDLE) to run it itself. */
  RUN: 1,
  /** The worker waits for main to serve helper HELPER with ARG..ARG+4. */
  HELPER: 2,
  /** Main served the call: R0 and REPLY are set. */
  REPLIED: 3,
  /** The batch ended; its r0s are at OUT. */
  DONE: 4,
  /** The batch stopped on an error; TEXT says why. */
  FAILED: 5,
  /** The worker claimed the batch and runs it. */
  TAKEN: 6,
  /** Main asks the worker to end. */
  STOP: 7,
} as const;

/** How a helper call served on main ended. */
export const Reply = {
  /** R0 is its result. */
  RETURN: 0,
  /** It ended the run (env.exit) with R0. */
  EXIT: 1,
  /** It threw; TEXT says what. */
  THROW: 2,
} as const;

/** What main posts to a worker (besides the control block): a program to instantiate, or one to forget. */
export type WorkerMessage =
  /** `names`: the names of the helpers it imports (by id), for its error messages. */
  | { readonly kind: 'program'; readonly id: number; readonly bytes: Uint8Array; readonly needs: unknown; readonly names: Readonly<Record<number, string>> }
  | { readonly kind: 'forget'; readonly id: number };

/** What a worker starts with (workerData). */
export interface WorkerSetup {
  readonly cpu: number;
  readonly memory: WebAssembly.Memory;
  readonly kernelData: number;
  readonly control: SharedArrayBuffer;
  readonly doorbell: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** An error as TEXT carries it: its errno code (a BpfError's; empty for others), NUL, its message. */
export function errorText(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  return `${typeof code === 'string' ? code : ''}\u0000${e instanceof Error ? e.message : String(e)}`;
}

/** The code and message of an errorText. */
export function parseErrorText(text: string): { readonly code: string; readonly message: string } {
  const at = text.indexOf('\u0000');
  return at < 0 ? { code: '', message: text } : { code: text.slice(0, at), message: text.slice(at + 1) };
}

/** The text at TEXT (what an error said). */
export function readText(control: SharedArrayBuffer, i32: Int32Array): string {
  return new TextDecoder().decode(new Uint8Array(control, TEXT_AT, Math.min(i32[Word.TEXT_LEN]!, TEXT_ROOM)).slice());
}

/** Writes `text` (cut to TEXT_ROOM bytes) at TEXT. */
export function writeText(control: SharedArrayBuffer, i32: Int32Array, text: string): void {
  const bytes = new TextEncoder().encode(text).subarray(0, TEXT_ROOM);
  new Uint8Array(control, TEXT_AT, TEXT_ROOM).set(bytes);
  i32[Word.TEXT_LEN] = bytes.length;
}

/**
 * Waits until `i32[index]` is no longer `value`: spins `spins` loads first (a batch or a helper
 * reply usually comes within microseconds, and a futex wake costs more), then sleeps on it, for
 * `timeoutMs` at most (default: no limit). Returns the value then (still `value` on a timeout).
 */
export function waitChange(i32: Int32Array, index: number, value: number, spins: number, timeoutMs = Infinity): number {
  for (let i = 0; i < spins; i++) {
    const now = Atomics.load(i32, index);
    if (now !== value) return now;
  }
  const end = Date.now() + timeoutMs;
  for (;;) {
    const left = end - Date.now();
    if (left <= 0) return Atomics.load(i32, index);
    Atomics.wait(i32, index, value, left === Infinity ? undefined : left);
    const now = Atomics.load(i32, index);
    if (now !== value) return now;
  }
}
