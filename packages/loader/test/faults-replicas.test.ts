/**
 * Faults of the stateless services (issues 8 and 9): with two verifier and two jit replicas,
 * each its own OS process in a NATS queue group, SIGKILL one replica while several clients keep
 * loading programs. Every load ends — a program or an errno, never a hang — and every load
 * started once the server dropped the killed replica succeeds: the other replica serves them all.
 * Needs `npx turbo run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient } from '../src/client/index.js';
import { KEEP_ALL, load } from './support/fault-programs.js';
import { CONNECTION_NAME, FaultSystem } from './support/fault-system.js';
import { CallStream, eventually, unclean } from './support/outcomes.js';
import { type RestartableNats, startRestartableNats } from './support/restartable-nats.js';

const CLIENTS = 4;
/** Client timeout and retry: a load that went to the killed replica ends with ETIMEDOUT after TIMEOUT_MS. */
const TIMEOUT_MS = 6_000;
const RETRY_MS = 2_000;
/** Longer than any clean ending can take: past it, a load hangs. */
const HANG_MS = TIMEOUT_MS + RETRY_MS + 5_000;
/** Loads that must succeed before the kill (the stream runs) and after it (the survivor serves). */
const LOADS_EACH_SIDE = 16;

let nats: RestartableNats;
let system: FaultSystem;
const clients: BpfClient[] = [];

beforeAll(async () => {
  nats = await startRestartableNats();
  system = await FaultSystem.start(nats, { verifiers: 2, jits: 2, kernelJit: 'nats', mapsStore: false });
  for (let i = 0; i < CLIENTS; i++) clients.push(await BpfClient.connect({ servers: nats.url, timeoutMs: TIMEOUT_MS, retryMs: RETRY_MS, name: `faults-client-${i}` }));
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await system?.stop();
  await nats?.close();
}, 60_000);

describe('SIGKILL of one replica of a stateless service during a stream of prog_loads', () => {
  it.each(['verifier', 'jit'] as const)('%s: every load ends with a program or an errno; the other replica serves every later load', async (role) => {
    expect(await nats.connections(CONNECTION_NAME[role])).toBe(2);
    const stream = new CallStream(
      clients.map((client, i) => () => load(client, 'socket_filter', KEEP_ALL, `keep_all_${i}`)),
      HANG_MS,
    );
    await eventually('loads before the kill', 60_000, async () => expect(stream.since(0).succeeded).toBeGreaterThanOrEqual(LOADS_EACH_SIDE));

    await system.kill(role, 0);
    // "After the kill" starts once the server has dropped the killed replica's subscriptions;
    // a request routed to it before that is lost and ends in the client's ETIMEDOUT.
    await eventually(`the server drops the killed ${role}`, 10_000, async () => expect(await nats.connections(CONNECTION_NAME[role])).toBe(1));
    const dropped = Date.now();
    await eventually('loads after the kill', 60_000, async () => {
      expect(stream.outcomes.filter((o) => o.kind === 'hang')).toEqual([]);
      expect(stream.since(dropped).ended).toBeGreaterThanOrEqual(LOADS_EACH_SIDE);
    });
    const outcomes = await stream.stop();

    expect(unclean(outcomes, ['ETIMEDOUT']), system.logs()).toEqual([]);
    const later = outcomes.filter((o) => o.startedAt >= dropped);
    expect(unclean(later, []), system.logs()).toEqual([]);
    expect(later.every((o) => o.kind === 'ok' && o.value > 0)).toBe(true);
  }, 150_000);
});
