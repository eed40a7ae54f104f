import { BpfError, RemoteBpfError } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { type RetryClock, type RetryPolicy, attemptBase, policyFor, requestIdempotent } from './idempotent-request.js';

const SUBJECT = 'bpf.v1.internal.verify';
const POLICY: RetryPolicy = { budgetMs: 20_000, firstAttemptMs: 2_000, noRespondersMs: 2_000 };

type Outcome = 'timeout' | 'no-responders' | 'errno' | 'ok';

/**
 * A fake transport over a fake clock: each attempt plays the next scripted outcome. A timeout
 * takes the attempt's whole timeout; no responders and answers come at once. Records each
 * attempt's timeout and the time it started.
 */
function fakeTransport(script: readonly Outcome[], last: Outcome = 'timeout') {
  let now = 0;
  const clock: RetryClock = { now: () => now, sleep: async (ms) => void (now += ms) };
  const attempts: { at: number; timeoutMs: number }[] = [];
  const attempt = async (timeoutMs: number): Promise<string> => {
    attempts.push({ at: now, timeoutMs });
    const outcome = script[attempts.length - 1] ?? last;
    switch (outcome) {
      case 'timeout':
        now += timeoutMs;
        throw new BpfError('ETIMEDOUT', `${SUBJECT}: no answer within ${timeoutMs} ms`);
      case 'no-responders':
        throw new BpfError('EAGAIN', `${SUBJECT}: no service is answering`);
      case 'errno':
        throw new RemoteBpfError(22, 'EINVAL', `${SUBJECT}: bad request`);
      case 'ok':
        return 'verdict';
    }
  };
  return { clock, attempts, attempt, now: () => now };
}

describe('idempotent requests - retry policy', () => {
  it('retry policy - a lost request is sent again with twice the timeout; the answer of the retry is returned', async () => {
    const t = fakeTransport(['timeout', 'timeout', 'ok']);
    await expect(requestIdempotent(SUBJECT, t.attempt, POLICY, t.clock)).resolves.toBe('verdict');
    expect(t.attempts).toEqual([{ at: 0, timeoutMs: 2_000 }, { at: 2_000, timeoutMs: 4_000 }, { at: 6_000, timeoutMs: 8_000 }]);
  });

  it('retry policy - an errno reply is final, not retried', async () => {
    const t = fakeTransport(['errno', 'ok']);
    await expect(requestIdempotent(SUBJECT, t.attempt, POLICY, t.clock)).rejects.toMatchObject({ code: 'EINVAL', errno: 22 });
    expect(t.attempts).toHaveLength(1);
  });

  it('retry policy - replicas that never answer: ETIMEDOUT once the budget is spent, never past it', async () => {
    const t = fakeTransport([], 'timeout');
    const error = await requestIdempotent(SUBJECT, t.attempt, POLICY, t.clock).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BpfError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', message: `${SUBJECT}: no answer after 4 attempts in 20000 ms (its replicas are down or overloaded); the load can be retried` });
    // 2 + 4 + 8 s, then what is left of the 20 s: 6 s.
    expect(t.attempts.map((a) => a.timeoutMs)).toEqual([2_000, 4_000, 8_000, 6_000]);
    expect(t.now()).toBe(20_000);
  });

  it('retry policy - no responders is retried after short pauses, then EAGAIN within the grace, not the budget', async () => {
    const t = fakeTransport([], 'no-responders');
    const error = await requestIdempotent(SUBJECT, t.attempt, POLICY, t.clock).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EAGAIN' });
    expect((error as Error).message).toMatch(/^bpf\.v1\.internal\.verify: no service is answering \(\d+ attempts in 2000 ms\)/);
    // Pauses of 50, 100, 200, 400, 800 ms, then what is left of the 2 s grace.
    expect(t.attempts.map((a) => a.at)).toEqual([0, 50, 150, 350, 750, 1_550, 2_000]);
  });

  it('retry policy - a replica that comes back during the grace serves the request', async () => {
    const t = fakeTransport(['no-responders', 'no-responders', 'ok']);
    await expect(requestIdempotent(SUBJECT, t.attempt, POLICY, t.clock)).resolves.toBe('verdict');
    expect(t.attempts.map((a) => a.at)).toEqual([0, 50, 150]);
  });

  it('retry policy - a timeout then only no responders ends in ETIMEDOUT (a replica was there and lost the request)', async () => {
    const t = fakeTransport(['timeout'], 'no-responders');
    await expect(requestIdempotent(SUBJECT, t.attempt, POLICY, t.clock)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('retry policy - the first attempt grows with the program: about 2 s for a small one, 12 s for 1M instructions, within the budget', () => {
    expect(attemptBase(100, 20_000)).toBe(2_001);
    expect(attemptBase(1_000_000, 20_000)).toBe(12_000);
    expect(attemptBase(1_000_000, 10_000)).toBe(10_000);
    expect(policyFor(1_000_000, 20_000)).toEqual({ budgetMs: 20_000, firstAttemptMs: 12_000, noRespondersMs: 2_000 });
  });
});
