/**
 * The per-account limits of the maps-store over a real NATS server: the service as its own
 * process with small limits applied to everyone (BPFHIVE_LIMIT_ADMIN=limited: without accounts
 * configured every caller is unidentified and would otherwise be exempt as CAP_SYS_ADMIN), map
 * close giving the charge back, the use visible in $SRV.STATS, and replies too big for NATS.
 */
import type { ChildProcess } from 'node:child_process';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { Subjects, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, ok, startMapsStore } from './maps-store-process.js';

let nats: NatsTestServer;
let nc: NatsConnection;
let service: ChildProcess;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  service = (await startMapsStore(nats.url, { BPFHIVE_LIMIT_ADMIN: 'limited', BPFHIVE_LIMIT_MAPS: '3', BPFHIVE_LIMIT_MAP_BYTES: '2M', MAPS_STORE_CPUS: '2' })).child;
}, 30_000);

afterAll(async () => {
  service?.kill('SIGTERM');
  await nc?.close();
  await nats?.stop();
});

const small = { map_type: 'array', key_size: 4, value_size: 8, max_entries: 16 };
const create = async (request: object): Promise<number> => (await ok(nc, Subjects.mapCreate, request)).map_id as number;

/** The maps-store's STATS endpoint data. */
async function stats(): Promise<Record<string, unknown>> {
  const reply = JSON.parse((await nc.request('$SRV.STATS.maps-store', '', { timeout: 5_000 })).string()) as { endpoints: { data: Record<string, unknown> }[] };
  return reply.endpoints[0]!.data;
}

describe('maps-store limits over NATS', () => {
  it('a map over the memory limit is ENOMEM naming the limit and the use; nothing is left charged', async () => {
    const reply = await call(nc, Subjects.mapCreate, { map_type: 'hash', key_size: 8, value_size: 1024, max_entries: 4096 });
    expect(reply.error).toBe('12');
    expect(reply.body).toMatchObject({ code: 'ENOMEM', message: expect.stringMatching(/^map_create \(hash\): \(unidentified\) would exceed its limit of 2 MiB of map memory \(BPFHIVE_LIMIT_MAP_BYTES\): 0 B in use, this needs 4\.\d MiB more$/) });
    expect(await stats()).toMatchObject({ maps: 0, accounts: {} });
  });

  it('the fourth map is E2BIG; closing one makes room; the use shows in $SRV.STATS with the RSS', async () => {
    const ids = [await create(small), await create(small), await create(small)];
    const refused = await call(nc, Subjects.mapCreate, small);
    expect(refused).toMatchObject({ error: '7', body: { code: 'E2BIG', message: expect.stringContaining('limit of 3 maps (BPFHIVE_LIMIT_MAPS): 3 in use') } });
    const data = await stats();
    expect(data).toMatchObject({ maps: 3, accounts: { '(unidentified)': { maps: 3, map_bytes: 3 * (256 + 16 * 8) } } });
    expect(data.rss_bytes).toBeGreaterThan(0);

    expect(await ok(nc, Subjects.map(ids[0]!, 'close'), {})).toEqual({});
    expect(await call(nc, Subjects.map(ids[0]!, 'info'), {})).toMatchObject({ error: '2' });
    ids[0] = await create(small);
    for (const id of ids) await ok(nc, Subjects.map(id, 'close'), {});
    expect(await stats()).toMatchObject({ maps: 0, accounts: {} });
  });

  it('a reply larger than the NATS max_payload is E2BIG, and the service goes on', async () => {
    const id = await create({ map_type: 'array', key_size: 4, value_size: 4096, max_entries: 300 });
    const reply = await call(nc, Subjects.map(id, 'lookup_batch'), { count: 300 });
    expect(reply).toMatchObject({ error: '7', body: { code: 'E2BIG', message: expect.stringMatching(/lookup_batch: the reply would be \d+ bytes, more than NATS carries in one message \(max_payload\); ask for less/) } });
    expect((await ok(nc, Subjects.map(id, 'lookup_batch'), { count: 10 })).keys).toHaveLength(10);
    // A request over max_payload never reaches a service: the client library refuses to send it.
    expect(() => nc.publish(Subjects.map(id, 'update_elem'), toBase64(new Uint8Array(2 * 2 ** 20)))).toThrow(/max_payload/);
    await ok(nc, Subjects.map(id, 'close'), {});
  });
});
