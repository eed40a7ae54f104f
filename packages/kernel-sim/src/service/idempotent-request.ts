/**
 * Requests prog_load makes to the stateless services (`bpf.v1.internal.verify`, `.jit`), retried
 * the way idempotent work can be: verifying or compiling the same program twice gives the same
 * answer, so a request lost with a replica (SIGKILLed, partitioned) is simply sent again, and the
 * queue group hands it to a replica that is there.
 *
 * The policy:
 * - **Attempt timeouts.** The first attempt waits `firstAttemptMs` — scaled by the program's size
 *   (`attemptBase`), so that a 1M-instruction verification on a loaded machine fits in it; each
 *   retry waits twice the previous one; no attempt outlives `budgetMs`, the whole call's budget.
 * - **A timeout** (no reply: the replica died with the request, or is far behind) is retried at
 *   once. By then the NATS server has usually dropped a dead replica's subscription (its socket
 *   closed), so the retry reaches a live one.
 * - **No responders** (NATS's immediate 503: no replica subscribed — all down, or restarting) is
 *   retried after a pause (50 ms, doubling, at most 1 s) for `noRespondersMs` at most, not the
 *   whole budget: a deployment without the service fails fast.
 * - **An answer** — a reply, or an errno reply (a rejection, a bad request) — is final: the service
 *   did the work, and doing it again gives the same.
 * - **Giving up**: ETIMEDOUT when an attempt timed out (replicas down or overloaded), EAGAIN when
 *   no replica ever answered; the message names the subject, the attempts and the time spent.
 */
import { BpfError, RemoteBpfError } from '@bpfhive/uapi';

export interface RetryPolicy {
  /** The most the whole call (every attempt and pause) may take, ms. */
  readonly budgetMs: number;
  /** The first attempt's timeout, ms (then doubling). */
  readonly firstAttemptMs: number;
  /** How long to keep retrying while no replica is subscribed, ms. */
  readonly noRespondersMs: number;
}

/** Time, injected so tests run the policy without waiting. */
export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: RetryClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The prog_load budget, shared by its two calls: verification may take most of it. */
export const PROG_LOAD_BUDGET_MS = 30_000;
export const VERIFY_BUDGET_MS = 20_000;
export const JIT_BUDGET_MS = PROG_LOAD_BUDGET_MS - VERIFY_BUDGET_MS;

/**
 * The first attempt's timeout for a program of `insns` instructions: 2 s, plus 10 µs per
 * instruction (a 1M-instruction program: 12 s), within `budgetMs`.
 */
export function attemptBase(insns: number, budgetMs: number): number {
  return Math.min(budgetMs, 2_000 + Math.ceil(insns / 100));
}

/** A policy for a program of `insns` instructions with `budgetMs` to spend. */
export function policyFor(insns: number, budgetMs: number): RetryPolicy {
  return { budgetMs, firstAttemptMs: attemptBase(insns, budgetMs), noRespondersMs: Math.min(2_000, budgetMs) };
}

/** A transport failure worth retrying (from requestJson): no answer in time, or nobody subscribed. Never an errno reply. */
function retryable(e: unknown): 'timeout' | 'no-responders' | undefined {
  if (!(e instanceof BpfError) || e instanceof RemoteBpfError) return undefined;
  return e.code === 'ETIMEDOUT' ? 'timeout' : e.code === 'EAGAIN' ? 'no-responders' : undefined;
}

/**
 * `attempt(timeoutMs)` — one request with that timeout, throwing requestJson's errors — under
 * the policy above. Returns the first answer; throws an errno reply as it came, or ETIMEDOUT /
 * EAGAIN once the budget (or the no-responders grace) is spent.
 */
export async function requestIdempotent<T>(subject: string, attempt: (timeoutMs: number) => Promise<T>, policy: RetryPolicy, clock: RetryClock = realClock): Promise<T> {
  const start = clock.now();
  const left = (): number => policy.budgetMs - (clock.now() - start);
  let timeoutMs = policy.firstAttemptMs;
  let pause = 50;
  let attempts = 0;
  let timedOut = false;
  let noRespondersSince: number | undefined;
  for (;;) {
    attempts++;
    try {
      return await attempt(Math.max(1, Math.min(timeoutMs, left())));
    } catch (e) {
      const kind = retryable(e);
      if (!kind) throw e;
      if (kind === 'timeout') {
        timedOut = true;
        noRespondersSince = undefined;
        timeoutMs *= 2;
      } else {
        noRespondersSince ??= clock.now();
        const waited = clock.now() - noRespondersSince;
        const wait = Math.min(pause, policy.noRespondersMs - waited, left());
        if (wait <= 0) return giveUp(subject, attempts, clock.now() - start, timedOut, e);
        await clock.sleep(wait);
        pause = Math.min(pause * 2, 1_000);
      }
      if (left() <= 0) return giveUp(subject, attempts, clock.now() - start, timedOut, e);
    }
  }
}

function giveUp(subject: string, attempts: number, spentMs: number, timedOut: boolean, cause: unknown): never {
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'} in ${Math.round(spentMs)} ms`;
  if (timedOut) throw new BpfError('ETIMEDOUT', `${subject}: no answer after ${tries} (its replicas are down or overloaded); the load can be retried`, { cause });
  throw new BpfError('EAGAIN', `${subject}: no service is answering (${tries}); the load can be retried once one runs`, { cause });
}
