import type { Clock } from '../ports.js';
import { type PreparedTestRun, testRunError } from './attr.js';

/**
 * Running a test run's repeats, as bpf_test_run does with its bpf_test_timer: only the time spent
 * running counts towards `duration` (the average in nanoseconds per run, a saturating u32); the
 * pauses between slices, where Linux calls cond_resched, do not.
 */

/** How a sliced run shares the event loop with other requests. */
export interface SliceOptions {
  /** Wall-clock milliseconds of running after which the run pauses (default TEST_RUN_SLICE_MS). */
  readonly sliceMs?: number;
  /** Wall-clock milliseconds from the start after which the run stops with EINTR (default TEST_RUN_DEADLINE_MS). */
  readonly deadlineMs?: number;
  /** Wall-clock time in milliseconds (default performance.now). */
  readonly now?: () => number;
  /** Lets other work run between slices (default: a setImmediate turn of the event loop). */
  readonly pause?: () => Promise<void>;
}

/** The longest a slice runs before other requests get their turn. */
export const TEST_RUN_SLICE_MS = 5;
/**
 * The longest a test run may take, pauses included: Linux stops on a signal with EINTR (a
 * caller's Ctrl-C); bpfhive's callers cannot send one, and one whose request timed out has gone.
 * 20 s outlasts the loader's 5 s request timeout and stays within the wire fuzzer's 35 s.
 */
export const TEST_RUN_DEADLINE_MS = 20_000;
/** Runs between two looks at the wall clock, at most. */
const MAX_STEP = 1024;

export interface RepeatsResult {
  /** r0 of the last run. */
  readonly r0: bigint;
  readonly duration: number;
}

/** The average of `totalNs` over `runs`, as a u32 that saturates. */
export function averageDuration(totalNs: bigint, runs: number): number {
  const average = totalNs / BigInt(Math.max(1, runs));
  return average > 0xffffffffn ? 0xffffffff : Number(average);
}

/** Runs `once` `count` times; returns the last r0 and the nanoseconds it took by `clock`. */
function timed(clock: Clock, once: () => bigint, count: number): { r0: bigint; ns: bigint } {
  let r0 = 0n;
  const started = clock.monotonicNs();
  for (let i = 0; i < count; i++) r0 = once();
  return { r0, ns: clock.monotonicNs() - started };
}

/** Runs every repeat in one go, without pausing: for synchronous callers (the core API, hooks' tests). */
export function runRepeats(clock: Clock, run: PreparedTestRun): RepeatsResult {
  const { r0, ns } = timed(clock, () => run.once(), run.repeat);
  return { r0, duration: averageDuration(ns, run.repeat) };
}

/**
 * Runs every repeat in slices of about `sliceMs`, pausing between them so that the service
 * answers other requests meanwhile; EINTR once `deadlineMs` have passed with runs still to go
 * (nothing of the run comes back, as Linux returns nothing but the error).
 */
export async function runRepeatsSliced(clock: Clock, run: PreparedTestRun, options: SliceOptions = {}): Promise<RepeatsResult> {
  const sliceMs = options.sliceMs ?? TEST_RUN_SLICE_MS;
  const deadlineMs = options.deadlineMs ?? TEST_RUN_DEADLINE_MS;
  const now = options.now ?? (() => performance.now());
  const pause = options.pause ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  const started = now();
  let done = 0;
  let r0 = 0n;
  let ns = 0n;
  let step = 1;
  for (;;) {
    const sliceStart = now();
    // Every slice makes progress, however short it is.
    do {
      const count = Math.min(step, run.repeat - done);
      const batchStart = now();
      const batch = timed(clock, () => run.once(), count);
      const took = now() - batchStart;
      r0 = batch.r0;
      ns += batch.ns;
      done += count;
      // About a quarter of a slice between looks at the clock: short runs in big steps, long ones one by one.
      if (took < sliceMs / 8) step = Math.min(step * 2, MAX_STEP);
      else if (took > sliceMs / 2) step = Math.max(1, step >> 1);
    } while (done < run.repeat && now() - sliceStart < sliceMs);
    if (done >= run.repeat) return { r0, duration: averageDuration(ns, run.repeat) };
    if (now() - started >= deadlineMs) {
      throw testRunError('EINTR', `interrupted after ${done} of ${run.repeat} runs: a test run may take ${deadlineMs} ms`);
    }
    await pause();
  }
}
