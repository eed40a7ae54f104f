import type { NatsConnection } from '@nats-io/transport-node';
import { type PingReply, pingService } from './micro-ping.js';

/** How many instances of each service must answer. */
export type Expected = ReadonlyMap<string, number>;

/** The instances that answered, per service. */
export type Answering = Map<string, PingReply[]>;

/** Some services did not answer in time; `answering` holds what did. */
export class NotReadyError extends Error {
  constructor(
    readonly expected: Expected,
    readonly answering: Answering,
    timeoutMs: number,
  ) {
    const late = [...expected].filter(([name, n]) => (answering.get(name)?.length ?? 0) < n);
    const list = late.map(([name, n]) => `${name} (${answering.get(name)?.length ?? 0} of ${n} answering)`).join(', ');
    super(`not ready within ${timeoutMs / 1000} s: ${list}; their logs above say why`);
  }
}

/**
 * Pings every expected service (`$SRV.PING.<name>`) until at least the expected number of
 * instances answer, or `timeoutMs` pass (NotReadyError), or `cancelled` resolves (returns what
 * answered so far). More instances than expected (another `up` on the same NATS) are fine.
 */
export async function waitUntilAnswering(nc: NatsConnection, expected: Expected, timeoutMs: number, cancelled: Promise<unknown>): Promise<Answering> {
  const answering: Answering = new Map();
  const deadline = Date.now() + timeoutMs;
  let stop = false;
  void cancelled.then(() => (stop = true));
  while (!stop) {
    for (const [name, n] of expected) {
      if ((answering.get(name)?.length ?? 0) >= n) continue;
      answering.set(name, await pingService(nc, name, { maxWaitMs: 1_000, stallMs: 200 }));
    }
    if ([...expected].every(([name, n]) => (answering.get(name)?.length ?? 0) >= n)) return answering;
    if (Date.now() >= deadline) throw new NotReadyError(expected, answering, timeoutMs);
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 250)), cancelled]);
  }
  return answering;
}
