import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { Arena } from '@bpfhive/maps-store';
import { type NatsTestServer, bpfhiveNatsOptions, startNatsServer } from '@bpfhive/testkit';
import { DEFAULT_ROLES, type IdentityPolicy, Subjects, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeasedMapProvider } from '../src/core/maps/leased-provider.js';
import { NatsMapLeases } from '../src/service/nats-map-leases.js';
import { startProcess } from './support/services.js';

/**
 * A map of maps leased to a kernel, over a real nats-server running deploy/nats/bpfhive.conf:
 * the maps-store as its own process (BPFHIVE_IDENTITY=secure), this process as the kernel
 * (LeasedMapProvider over NatsMapLeases, logged in as the services' user), role users asking.
 * The kernel holds the outer map and its inner maps, answers their data commands with the
 * maps-store's owner checks, and checks the inner map ids an update names as the maps-store does.
 */
const MAPS_STORE_MAIN = fileURLToPath(new URL('../../maps-store/dist/main.js', import.meta.url));
const PASSWORDS = Object.fromEntries(['SERVICES', 'ADMIN', 'TRACER', 'NETOPS', 'USER'].map((who) => [`BPFHIVE_${who}_PASSWORD`, `pw${randomBytes(12).toString('hex')}`]));
const USERS = { admin: 'ADMIN', tracer: 'TRACER', netops: 'NETOPS' } as const;
type User = keyof typeof USERS;
/** The kernel's identity policy under bpfhive.conf: the ADMIN account holds CAP_SYS_ADMIN. */
const SECURE: IdentityPolicy = { mode: 'secure', roles: DEFAULT_ROLES };

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
const u64 = (n: number): string => toBase64(new Uint8Array(new BigUint64Array([BigInt(n)]).buffer));
const inner = { map_type: 'array', key_size: 4, value_size: 8, max_entries: 2 } as const;

beforeAll(async () => {
  nats = await startNatsServer({ ...bpfhiveNatsOptions(PASSWORDS) });
  kernel = await connect({ servers: nats.url, user: 'bpfhive', pass: PASSWORDS.BPFHIVE_SERVICES_PASSWORD!, noAsyncTraces: true });
  dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-map-in-map-lease-test-'));
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

describe('leased maps of maps over NATS', () => {
  it('a kernel holding a map of maps holds its inner maps, answers them with their owner checks, and leases the inner map an update names after checking it', async () => {
    const create = async (user: User, body: object): Promise<number> => (await ask(user, Subjects.mapCreate, body)).body.map_id as number;
    const a = await create('netops', inner);
    const b = await create('netops', inner);
    const theirs = await create('tracer', inner);
    const outer = await create('netops', { map_type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 4, inner_map_id: a });
    expect((await ask('netops', Subjects.map(a, 'update_elem'), { key: u32(0), value: u64(5), flags: 0 })).code).toBeUndefined();
    expect((await ask('netops', Subjects.map(outer, 'update_elem'), { key: u32(0), value: u32(a), flags: 0 })).code).toBeUndefined();

    const provider = new LeasedMapProvider(new NatsMapLeases(kernel, 'kernel-map-in-map-test', 10_000, SECURE), new Arena({ initialPages: 32 }), 1);
    await provider.acquire(outer);
    expect([provider.hosted(outer)?.id, provider.hosted(a)?.id, provider.hosted(b)]).toEqual([outer, a, undefined]);
    // The kernel answers the inner map's own commands, with its owner check.
    provider.hosted(a)!.map.update(new Uint8Array(4), new Uint8Array(new BigUint64Array([6n]).buffer), 0);
    expect((await ask('netops', Subjects.map(a, 'lookup_elem'), { key: u32(0) })).body).toEqual({ value: u64(6) });
    expect((await ask('tracer', Subjects.map(a, 'lookup_elem'), { key: u32(0) })).code).toBe('EPERM');
    expect((await ask('netops', Subjects.map(outer, 'lookup_elem'), { key: u32(0) })).body).toEqual({ value: u32(a) });

    // An update naming b: leased first, then in the slot.
    expect((await ask('netops', Subjects.map(outer, 'update_elem'), { key: u32(1), value: u32(b), flags: 0 })).code).toBeUndefined();
    expect(provider.hosted(b)?.id).toBe(b);
    // Another account's map is EPERM (the kernel checks it against that map's lease) and is not kept.
    const refused = await ask('netops', Subjects.map(outer, 'update_elem'), { key: u32(2), value: u32(theirs), flags: 0 });
    expect(refused.body.message).toBe(`map update_elem (inner map): map ${theirs} was neither created nor opened (obj_get) by NETOPS/netops; CAP_SYS_ADMIN required`);
    // No map: EPERM to whom may not tell, EBADF to CAP_SYS_ADMIN.
    expect((await ask('netops', Subjects.map(outer, 'update_elem'), { key: u32(2), value: u32(999_999), flags: 0 })).code).toBe('EPERM');
    expect((await ask('admin', Subjects.map(outer, 'update_elem'), { key: u32(2), value: u32(999_999), flags: 0 })).body).toMatchObject({ code: 'EBADF', message: 'update: no map with id 999999' });
    await provider.settled();
    expect(provider.hosted(theirs)).toBeUndefined();
    expect((await ask('tracer', Subjects.map(theirs, 'lookup_elem'), { key: u32(0) })).body).toEqual({ value: u64(0) });

    // Home again: the maps-store answers with the kernel's contents and slots.
    await provider.close();
    expect((await ask('netops', Subjects.map(outer, 'lookup_elem'), { key: u32(1) })).body).toEqual({ value: u32(b) });
    expect((await ask('netops', Subjects.map(a, 'lookup_elem'), { key: u32(0) })).body).toEqual({ value: u64(6) });
  });
});
