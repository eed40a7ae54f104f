/**
 * Faults of the services that keep state and of NATS itself (issues 8 and 9), every service its
 * own OS process on a real NATS server with JetStream (one system for the whole file, its faults
 * in order):
 * - SIGKILL and restart the maps-store while a kernel holds a pinned map a program updates;
 * - SIGKILL and restart the kernel-sim while it holds maps;
 * - restart NATS (a new nats-server on the same port and JetStream store) while clients keep
 *   loading programs and reading maps, once at once and once after the kernel's leases expired.
 * Leases are short (LEASE_TTL_MS) so that a dead kernel's maps come home within seconds.
 * Needs `npx turbo run build` first.
 */
import { Subjects } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient, u32, u64 } from '../src/client/index.js';
import { waitUntilAnswering } from '../src/up/readiness.js';
import { KEEP_ALL, closeProgram, counter, homeContents, load, run } from './support/fault-programs.js';
import { FaultSystem } from './support/fault-system.js';
import { CallStream, eventually, settle, unclean } from './support/outcomes.js';
import { type RestartableNats, startRestartableNats } from './support/restartable-nats.js';

const LEASE_TTL_MS = 3_000;
const TIMEOUT_MS = 5_000;
const RETRY_MS = 1_500;
/** Longer than any clean ending can take: past it, a call hangs. */
const HANG_MS = TIMEOUT_MS + RETRY_MS + 5_000;
/** Within this, after the new NATS server is ready, every service must answer again. */
const RECONNECT_MS = 20_000;
/** The errnos of a call caught by a NATS restart: no reply (the request or its reply was lost), nobody subscribed yet. */
const RESTART_ERRNOS = ['ETIMEDOUT', 'ECONNREFUSED', 'EAGAIN'];

let nats: RestartableNats;
let system: FaultSystem;
/** Users: clients[0] is the one most tests use; all of them load during the NATS restart. */
const clients: BpfClient[] = [];
/** Polls while a service is down: short timeouts, since its failures are expected. */
let probe: BpfClient;

beforeAll(async () => {
  nats = await startRestartableNats();
  system = await FaultSystem.start(nats, { kernelJit: 'nats', leaseTtlMs: LEASE_TTL_MS });
  for (let i = 0; i < 3; i++) clients.push(await BpfClient.connect({ servers: nats.url, timeoutMs: TIMEOUT_MS, retryMs: RETRY_MS, name: `faults-client-${i}` }));
  probe = await BpfClient.connect({ servers: nats.url, timeoutMs: 1_000, retryMs: 300, name: 'faults-probe' });
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await probe?.close();
  await system?.stop();
  await nats?.close();
}, 60_000);

/** A u32-keyed array of u64 counters, pinned at `pin` when given. */
async function counters(name: string, pin?: string): Promise<number> {
  const id = await clients[0]!.mapCreate({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 4, map_name: name });
  if (pin) await clients[0]!.objPin(pin, { map_id: id });
  return id;
}

const valueAt = async (from: BpfClient, mapId: number, key: number): Promise<bigint> => u64.decode(await from.mapLookup(mapId, u32.encode(key)));

describe('SIGKILL of a service that keeps state', () => {
  it('maps-store: the kernel keeps running its program on the pinned map it holds; after the restart the pin, the lease and every value are there', async () => {
    const client = clients[0]!;
    const pin = '/sys/fs/bpf/faults/store_counts';
    const mapId = await counters('store_counts', pin);
    await client.mapUpdate(mapId, u32.encode(1), u64.encode(111));
    const prog = await load(client, 'socket_filter', counter(mapId), 'count_store');
    await run(client, prog, 5);
    // Answered by the kernel, which checkpoints before it replies: the maps-store stores 5 and 222.
    await client.mapUpdate(mapId, u32.encode(2), u64.encode(222));

    await system.kill('maps-store');
    // The kernel does not need the maps-store to run the program or to serve the map it holds.
    await run(client, prog, 3);
    expect(await valueAt(client, mapId, 0)).toBe(8n);
    // What only the maps-store answers fails with an errno while it is down.
    expect(await settle(() => client.objGet(pin), HANG_MS)).toMatchObject({ kind: 'errno', code: 'ECONNREFUSED' });

    const store = await system.restart('maps-store');
    expect(store.output()).toMatch(/; 1 restored/);
    expect(await client.objGet(pin)).toEqual({ map_id: mapId });
    expect(await client.mapInfo(mapId)).toMatchObject({ map_id: mapId, name: 'store_counts', type_name: 'array' });
    // The restored lease is still the kernel's: nobody else may take the map.
    await expect(homeContents(client, mapId)).rejects.toMatchObject({ code: 'EBUSY' });
    await run(client, prog, 2);
    expect(await valueAt(client, mapId, 0)).toBe(10n);

    // The program goes; the map comes home to the restarted maps-store with everything.
    await closeProgram(client, prog);
    const atHome = await eventually('the map back in the maps-store', 15_000, () => homeContents(client, mapId));
    expect(atHome, system.logs()).toEqual({ 0: 10n, 1: 111n, 2: 222n, 3: 0n });
    expect(await valueAt(client, mapId, 2)).toBe(222n);
  }, 120_000);

  it('kernel-sim: clients get errnos while it is down, its leases expire and the maps-store serves the last checkpoints; a new kernel serves new loads', async () => {
    const client = clients[0]!;
    const pin = '/sys/fs/bpf/faults/kernel_counts';
    const pinned = await counters('kernel_counts', pin);
    const scratch = await counters('kernel_scratch');
    const countPinned = await load(client, 'socket_filter', counter(pinned), 'count_pinned');
    const countScratch = await load(client, 'socket_filter', counter(scratch), 'count_scratch');
    await run(client, countPinned, 4);
    await run(client, countScratch, 6);
    // Written through the kernel, checkpointed before the reply: the last checkpoints hold 4 and 6.
    await client.mapUpdate(pinned, u32.encode(3), u64.encode(333));
    await client.mapUpdate(scratch, u32.encode(3), u64.encode(33));

    await system.kill('kernel-sim');
    // Nothing serves programs: no responders, retried for RETRY_MS, then ECONNREFUSED.
    expect(await settle(() => load(client, 'socket_filter', KEEP_ALL, 'keep_all'), HANG_MS)).toMatchObject({ kind: 'errno', code: 'ECONNREFUSED' });
    expect(await settle(() => run(client, countPinned), HANG_MS)).toMatchObject({ kind: 'errno', code: 'ECONNREFUSED' });
    // The maps-store stays silent on a leased map until the lease expires: ETIMEDOUT, then the value.
    const early = await settle(() => valueAt(probe, pinned, 0), HANG_MS);
    expect(early.kind === 'ok' || (early.kind === 'errno' && early.code === 'ETIMEDOUT'), JSON.stringify(early)).toBe(true);

    await eventually('the leases expire', LEASE_TTL_MS + 15_000, async () => expect(await valueAt(probe, pinned, 0)).toBe(4n));
    expect(system.get('maps-store').output()).toMatch(new RegExp(`map ${pinned}: kernel-sim-\\S+ stopped renewing its lease`));
    expect(await homeContents(client, pinned)).toEqual({ 0: 4n, 1: 0n, 2: 0n, 3: 333n });
    expect(await homeContents(client, scratch)).toEqual({ 0: 6n, 1: 0n, 2: 0n, 3: 33n });
    expect(await client.objGet(pin)).toEqual({ map_id: pinned });

    await system.restart('kernel-sim');
    // The dead kernel's programs are gone with it.
    expect(await settle(() => run(client, countPinned), HANG_MS)).toMatchObject({ kind: 'errno', code: 'ENOENT' });
    const again = await load(client, 'socket_filter', counter(pinned), 'count_again');
    await run(client, again, 1);
    expect(await valueAt(client, pinned, 0)).toBe(5n);
    expect(await valueAt(client, pinned, 3)).toBe(333n);
    expect(await load(client, 'socket_filter', KEEP_ALL, 'keep_all')).toBeGreaterThan(0);
  }, 120_000);
});

/** How many times `role` logged something matching `pattern`. */
const logged = (role: 'maps-store' | 'kernel-sim', pattern: string): number => (system.get(role).output().match(new RegExp(pattern, 'g')) ?? []).length;

/**
 * The leases the maps-store counts as `holder`'s, by renewing them for it (harmless: what the
 * holder's heartbeat does), so that they last one more TTL while the test reads its map.
 */
async function renewFor(holder: string): Promise<{ map_id: number; epoch: number }[]> {
  const reply = await clients[0]!.nc.request(Subjects.leaseRenew, JSON.stringify({ holder }), { timeout: TIMEOUT_MS });
  return (JSON.parse(reply.string()) as { leases: { map_id: number; epoch: number }[] }).leases;
}

/**
 * Stops the server, waits for `whileDown`, starts it again on the same port and store; resolves
 * once every service answers its micro-service PING (it reconnected and resubscribed) and every
 * client loads a program again (through kernel-sim, verifier and jit).
 */
async function restartNats(whileDown: () => Promise<void>): Promise<void> {
  await nats.stop();
  await whileDown();
  await nats.start();
  const expected = new Map([
    ['maps-store', 1],
    ['verifier', 1],
    ['jit', 1],
    ['kernel-sim', 1],
  ]);
  await waitUntilAnswering(clients[0]!.nc, expected, RECONNECT_MS, new Promise(() => undefined));
  for (const [i, c] of clients.entries()) {
    await eventually(`client ${i} loads again`, RECONNECT_MS, () => load(c, 'socket_filter', KEEP_ALL, `after_${i}`));
  }
}

/** Made by the first test, used by both: a pinned map a program counts in, held by the kernel, and a pinned map at home. */
let held: number;
let home: number;
let prog: number;
let holder: string;

describe('restart of the NATS server', () => {
  it('a restart: calls under way end with an errno, every service reconnects and serves again, pinned maps keep their contents', async () => {
    const client = clients[0]!;
    held = await client.mapCreate({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 4, map_name: 'nats_held' });
    await client.objPin('/sys/fs/bpf/faults/nats_held', { map_id: held });
    home = await client.mapCreate({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 16, map_name: 'nats_home' });
    await client.objPin('/sys/fs/bpf/faults/nats_home', { map_id: home });
    await client.mapUpdate(home, u32.encode(7), u64.encode(70));
    prog = await load(client, 'socket_filter', counter(held), 'count_held');
    holder = new RegExp(`map ${held} leased to (\\S+) `).exec(system.get('maps-store').output())![1]!;
    await run(client, prog, 3);
    await client.mapUpdate(held, u32.encode(1), u64.encode(111));

    const stream = new CallStream<unknown>(
      clients.flatMap((c, i) => [() => load(c, 'socket_filter', KEEP_ALL, `keep_all_${i}`), () => c.mapLookup(home, u32.encode(7))]),
      HANG_MS,
    );
    await eventually('calls before the restart', 60_000, async () => expect(stream.since(0).succeeded).toBeGreaterThanOrEqual(10));
    // Started again at once: the calls under way when it stops, and those made while it is away, end with errnos.
    await restartNats(async () => undefined);
    const served = Date.now();
    await eventually('calls after the restart', 60_000, async () => expect(stream.since(served).ended).toBeGreaterThanOrEqual(10));
    const outcomes = await stream.stop();
    expect(unclean(outcomes, RESTART_ERRNOS), system.logs()).toEqual([]);
    expect(unclean(outcomes.filter((o) => o.startedAt >= served), []), system.logs()).toEqual([]);

    expect(await client.objGet('/sys/fs/bpf/faults/nats_held')).toEqual({ map_id: held });
    expect(await client.objGet('/sys/fs/bpf/faults/nats_home')).toEqual({ map_id: home });
    expect(await valueAt(client, home, 7)).toBe(70n);
    // The kernel still holds its map (or took it back, if the restart outlasted the lease).
    await eventually('the kernel holds its map', RECONNECT_MS, async () => expect((await renewFor(holder)).map((l) => l.map_id)).toContain(held));
    await run(client, prog, 2);
    expect(await valueAt(client, held, 0)).toBe(5n);
    expect(await valueAt(client, held, 1)).toBe(111n);
  }, 150_000);

  it('an outage longer than the lease: the kernel takes its map back and its program counts where user space sees it; the JetStream store keeps the pinned maps', async () => {
    const client = clients[0]!;
    const expiries = logged('maps-store', `map ${held}: kernel-sim-\\S+ stopped renewing its lease`);
    const retakes = logged('kernel-sim', `map ${held}: lease taken back`);
    await restartNats(() =>
      eventually('the lease expires while NATS is down', LEASE_TTL_MS + 15_000, async () =>
        expect(logged('maps-store', `map ${held}: kernel-sim-\\S+ stopped renewing its lease`)).toBe(expiries + 1),
      ),
    );
    // Watched in the kernel's log: a lease taken to look would count as another holder's.
    await eventually('the kernel takes its map back', RECONNECT_MS, async () => expect(logged('kernel-sim', `map ${held}: lease taken back`)).toBe(retakes + 1));
    expect((await renewFor(holder)).map((l) => l.map_id)).toContain(held);
    await run(client, prog, 2);
    expect(await valueAt(client, held, 0)).toBe(7n);
    expect(await valueAt(client, held, 1)).toBe(111n);

    // Both snapshots are in the JetStream store the new server took over: a new maps-store restores them.
    await client.mapUpdate(home, u32.encode(8), u64.encode(80));
    await system.kill('maps-store');
    const store = await system.restart('maps-store');
    expect(store.output()).toMatch(/JetStream KV bpfhive_maps; \d+ restored/);
    expect(await valueAt(client, home, 7)).toBe(70n);
    expect(await valueAt(client, home, 8)).toBe(80n);
    expect(await client.objGet('/sys/fs/bpf/faults/nats_held')).toEqual({ map_id: held });
    expect(await valueAt(client, held, 0)).toBe(7n);
  }, 150_000);

  // Measured once by hand: with nats.js's default (10 attempts, 2 s apart) a BpfClient's connection
  // closed for good during a 25 s outage and every later call failed with ENOTCONN; a test of that
  // takes too long for this suite, so this one checks the setting that prevents it.
  it('a BpfClient keeps reconnecting for as long as it is open, as the services do', () => {
    const { options } = clients[0]!.nc as unknown as { options: { maxReconnectAttempts?: number } };
    expect(options.maxReconnectAttempts).toBe(-1);
  });
});

describe('map ids across a maps-store restart', () => {
  // The maps-store restores pinned maps only; an unpinned map a program still uses lives on in
  // its kernel. Its id must not go to the next map_create (the stored id high-water mark), and the
  // kernel re-registers it on its next lease renewal, so user space still reaches it by id.
  it('maps-store: an unpinned map a program uses keeps its id and contents across the restart', async () => {
    const client = clients[0]!;
    // Pinned just below it: the restored map with the highest id.
    await counters('held_below', '/sys/fs/bpf/faults/held_below');
    const held = await counters('held_scratch');
    const prog = await load(client, 'socket_filter', counter(held), 'count_held');
    await run(client, prog, 7);
    await system.kill('maps-store');
    await system.restart('maps-store');
    const fresh = await counters('fresh');
    expect(fresh).not.toBe(held);
    expect(await client.bpf('OBJ_GET_INFO_BY_FD', { prog_id: prog })).toMatchObject({ map_ids: [held] });
    expect(await valueAt(client, held, 0)).toBe(7n);
  }, 120_000);
});
