import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { Arena, createMap, decodeImage, encodeImage, loadRecords, mapRecords } from '@bpfhive/maps-store';
import { type NatsTestServer, bpfhiveNatsOptions, startNatsServer } from '@bpfhive/testkit';
import { Subjects, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsMapLeases } from '../src/service/nats-map-leases.js';
import { startProcess } from './support/services.js';

/**
 * The owner check on a leased map's commands, over a real nats-server running
 * deploy/nats/bpfhive.conf: the maps-store as its own process (BPFHIVE_IDENTITY=secure), this
 * process as the kernel holding the lease (NatsMapLeases, logged in as the services' user), the
 * role users asking. While the kernel answers the map's data commands, it refuses whom the
 * maps-store would refuse: the accounts travel with the lease.
 */
const MAPS_STORE_MAIN = fileURLToPath(new URL('../../maps-store/dist/main.js', import.meta.url));
const PASSWORDS = Object.fromEntries(['SERVICES', 'ADMIN', 'TRACER', 'NETOPS', 'USER'].map((who) => [`BPFHIVE_${who}_PASSWORD`, `pw${randomBytes(12).toString('hex')}`]));
const USERS = { admin: 'ADMIN', tracer: 'TRACER', netops: 'NETOPS', user: 'USER' } as const;
type User = keyof typeof USERS;

let nats: NatsTestServer;
let kernel: NatsConnection;
let store: ChildProcess;
let dataDir: string;
const clients = new Map<User, NatsConnection>();

async function ask(user: User, subject: string, body: unknown): Promise<{ code?: string; body: Record<string, unknown> }> {
  const msg = await clients.get(user)!.request(subject, JSON.stringify(body), { timeout: 10_000 });
  const parsed = JSON.parse(msg.string()) as Record<string, unknown>;
  return msg.headers?.get('Nats-Service-Error-Code') ? { code: String(parsed.code), body: parsed } : { body: parsed };
}

const u32 = (n: number): string => toBase64(new Uint8Array(new Uint32Array([n]).buffer));
const value = (n: number): string => toBase64(new Uint8Array(8).fill(n));

beforeAll(async () => {
  nats = await startNatsServer({ ...bpfhiveNatsOptions(PASSWORDS) });
  kernel = await connect({ servers: nats.url, user: 'bpfhive', pass: PASSWORDS.BPFHIVE_SERVICES_PASSWORD!, noAsyncTraces: true });
  dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-lease-owners-test-'));
  const login = { NATS_URL: nats.url, NATS_USER: 'bpfhive', NATS_PASSWORD: PASSWORDS.BPFHIVE_SERVICES_PASSWORD!, BPFHIVE_IDENTITY: 'secure' };
  store = await startProcess(MAPS_STORE_MAIN, { ...login, MAPS_STORE_CPUS: '1', MAPS_STORE_DATA: dataDir }, /serving/);
  for (const [user, account] of Object.entries(USERS) as [User, string][]) {
    clients.set(user, await connect({ servers: nats.url, user, pass: PASSWORDS[`BPFHIVE_${account}_PASSWORD`]!, noAsyncTraces: true }));
  }
}, 60_000);

afterAll(async () => {
  for (const nc of clients.values()) await nc.close();
  if (store?.exitCode === null) store.kill('SIGTERM');
  await kernel?.close();
  await nats?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('leased map owners over NATS', () => {
  it('a kernel holding a lease answers the creator and CAP_SYS_ADMIN, and EPERM to other accounts; the renewal keeps the accounts', async () => {
    const created = await ask('netops', Subjects.mapCreate, { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 4 });
    const map_id = created.body.map_id as number;
    expect((await ask('netops', Subjects.map(map_id, 'update_elem'), { key: u32(1), value: value(1), flags: 0 })).code).toBeUndefined();

    const leases = new NatsMapLeases(kernel, 'kernel-owners-test');
    const inbox = await leases.open(map_id);
    const grant = await leases.lease(map_id);
    const hosted = { id: map_id, map: createMap(grant.spec, new Arena()), frozen: grant.frozen };
    loadRecords(hosted.map, decodeImage(grant.image));
    let answeredByKernel = 0;
    inbox.serve(hosted, async () => void answeredByKernel++);

    // The kernel answers (the maps-store is silent on a leased map's data commands).
    expect((await ask('netops', Subjects.map(map_id, 'update_elem'), { key: u32(2), value: value(2), flags: 0 })).code).toBeUndefined();
    expect(answeredByKernel).toBe(1);
    expect(hosted.map.lookup(new Uint8Array(new Uint32Array([2]).buffer))).toEqual(new Uint8Array(8).fill(2));
    const outcomes: Record<string, string> = {};
    for (const who of ['admin', 'tracer', 'netops', 'user'] as const) outcomes[who] = (await ask(who, Subjects.map(map_id, 'lookup_elem'), { key: u32(1) })).code ?? 'ok';
    expect(outcomes).toEqual({ admin: 'ok', tracer: 'EPERM', netops: 'ok', user: 'EPERM' });
    const refused = await ask('tracer', Subjects.map(map_id, 'delete_elem'), { key: u32(1) });
    expect(refused.body.message).toMatch(/^map delete_elem: map \d+ was neither created nor opened \(obj_get\) by TRACER\/tracer; CAP_SYS_ADMIN required$/);
    expect(hosted.map.lookup(new Uint8Array(new Uint32Array([1]).buffer))).toEqual(new Uint8Array(8).fill(1));

    // A heartbeat lists the map with its access and gets it back.
    const renewed = await leases.renew([{ map_id, spec: grant.spec, frozen: false, epoch: grant.epoch }]);
    expect(renewed.leases).toEqual([expect.objectContaining({ map_id, epoch: grant.epoch })]);
    expect((await ask('tracer', Subjects.map(map_id, 'get_next_key'), {})).code).toBe('EPERM');

    inbox.readOnly();
    await leases.release(map_id, { epoch: grant.epoch, image: encodeImage(mapRecords(hosted.map)), frozen: false });
    inbox.close();
    // Home again: the maps-store answers, with the same rule and the kernel's contents.
    expect((await ask('tracer', Subjects.map(map_id, 'lookup_elem'), { key: u32(2) })).code).toBe('EPERM');
    expect((await ask('netops', Subjects.map(map_id, 'lookup_elem'), { key: u32(2) })).body).toEqual({ value: value(2) });
    expect((await ask('netops', Subjects.map(map_id, 'close'), {})).code).toBeUndefined();
  });
});
