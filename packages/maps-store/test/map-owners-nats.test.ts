/**
 * Owner checks on map commands by id (issue 9), decided by NATS: a real nats-server running
 * deploy/nats/bpfhive.conf, the maps-store as its own process logged in as the services' user with
 * BPFHIVE_IDENTITY=secure, and the role users asking (core/map-access.ts). Then the maps-store is
 * killed with SIGKILL and restarted: the pinned map comes back charged to its creator, whose
 * checks still hold.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsTestServer, bpfhiveNatsOptions, startNatsServer } from '@bpfhive/testkit';
import { Subjects, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startMapsStore } from './maps-store-process.js';

// nats-server parses a variable's value as a config value: one starting with a digit is a number (and fails).
const PASSWORDS = Object.fromEntries(['SERVICES', 'ADMIN', 'TRACER', 'NETOPS', 'USER'].map((who) => [`BPFHIVE_${who}_PASSWORD`, `pw${randomBytes(12).toString('hex')}`]));
const USERS = { admin: 'ADMIN', tracer: 'TRACER', netops: 'NETOPS', user: 'USER' } as const;
type User = keyof typeof USERS;

let nats: NatsTestServer;
let services: NatsConnection;
let dataDir: string;
let store: ChildProcess | undefined;
const clients = new Map<User, NatsConnection>();
let env: NodeJS.ProcessEnv;

const u32 = (n: number): string => toBase64(new Uint8Array(new Uint32Array([n]).buffer));
const value = (n: number): string => toBase64(new Uint8Array(8).fill(n));

/** 'ok', or the errno name of the refusal. */
async function outcome(user: User, subject: string, body: unknown): Promise<string> {
  const reply = await call(clients.get(user)!, subject, body, 10_000);
  return reply.error ? String(reply.body.code) : 'ok';
}

async function ok(user: User, subject: string, body: unknown): Promise<Record<string, unknown>> {
  const reply = await call(clients.get(user)!, subject, body, 10_000);
  if (reply.error) throw new Error(`${user} ${subject}: ${String(reply.body.code)}: ${String(reply.body.message)}`);
  return reply.body;
}

/** The maps-store's STATS data (asked by the services' user: $SRV is not exported to clients). */
async function stats(): Promise<{ maps: number; accounts: Record<string, { maps: number; map_bytes: number }> }> {
  const reply = JSON.parse((await services.request('$SRV.STATS.maps-store', '', { timeout: 5_000 })).string()) as { endpoints: { data: never }[] };
  return reply.endpoints[0]!.data;
}

beforeAll(async () => {
  nats = await startNatsServer({ ...bpfhiveNatsOptions(PASSWORDS) });
  services = await connect({ servers: nats.url, user: 'bpfhive', pass: PASSWORDS.BPFHIVE_SERVICES_PASSWORD!, noAsyncTraces: true });
  dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-map-owners-test-'));
  env = { NATS_USER: 'bpfhive', NATS_PASSWORD: PASSWORDS.BPFHIVE_SERVICES_PASSWORD!, BPFHIVE_IDENTITY: 'secure', MAPS_STORE_CPUS: '2', MAPS_STORE_DATA: dataDir };
  store = (await startMapsStore(nats.url, env)).child;
  for (const [user, account] of Object.entries(USERS) as [User, string][]) {
    clients.set(user, await connect({ servers: nats.url, user, pass: PASSWORDS[`BPFHIVE_${account}_PASSWORD`]!, noAsyncTraces: true }));
  }
}, 60_000);

afterAll(async () => {
  for (const nc of clients.values()) await nc.close();
  if (store?.exitCode === null) store.kill('SIGTERM');
  await services?.close();
  await nats?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const HASH = { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 4 };

describe('map owners over NATS - a map by id is its creator\'s, CAP_SYS_ADMIN\'s, and EPERM for the others', () => {
  it.each<[string, (id: number) => [string, unknown]]>([
    ['lookup_elem', (id) => [Subjects.map(id, 'lookup_elem'), { key: u32(1) }]],
    ['update_elem', (id) => [Subjects.map(id, 'update_elem'), { key: u32(2), value: value(2), flags: 0 }]],
    ['delete_elem', (id) => [Subjects.map(id, 'delete_elem'), { key: u32(3) }]],
    ['get_next_key', (id) => [Subjects.map(id, 'get_next_key'), {}]],
    ['lookup_batch', (id) => [Subjects.map(id, 'lookup_batch'), { count: 4 }]],
    ['update_batch', (id) => [Subjects.map(id, 'update_batch'), { keys: [u32(3)], values: [value(3)] }]],
    ['delete_batch', (id) => [Subjects.map(id, 'delete_batch'), { keys: [u32(3)] }]],
    ['info', (id) => [Subjects.map(id, 'info'), {}]],
  ])('map owners - %s: netops (creator) and admin ok; tracer and user EPERM', async (_command, request) => {
    const { map_id } = (await ok('netops', Subjects.mapCreate, HASH)) as { map_id: number };
    await ok('netops', Subjects.map(map_id, 'update_elem'), { key: u32(1), value: value(1), flags: 0 });
    await ok('netops', Subjects.map(map_id, 'update_elem'), { key: u32(3), value: value(3), flags: 0 });
    const [subject, body] = request(map_id);
    const got: Record<User, string> = { admin: '', tracer: '', netops: '', user: '' };
    for (const who of ['tracer', 'user', 'netops', 'admin'] as const) {
      got[who] = await outcome(who, subject, body);
      // delete_elem / delete_batch: put the key back for the next caller.
      if (got[who] === 'ok') await ok('netops', Subjects.map(map_id, 'update_elem'), { key: u32(3), value: value(3), flags: 0 });
    }
    expect(got).toEqual({ admin: 'ok', tracer: 'EPERM', netops: 'ok', user: 'EPERM' });
    // The refusal changed nothing.
    expect((await ok('netops', Subjects.map(map_id, 'lookup_elem'), { key: u32(1) })).value).toBe(value(1));
    await ok('netops', Subjects.map(map_id, 'close'), {});
  });

  it('map owners - freeze, close and obj_pin by another account are EPERM; a map id that names nothing is EPERM for it, ENOENT for admin', async () => {
    const { map_id } = (await ok('tracer', Subjects.mapCreate, HASH)) as { map_id: number };
    expect(await outcome('user', Subjects.map(map_id, 'freeze'), {})).toBe('EPERM');
    expect(await outcome('netops', Subjects.map(map_id, 'close'), {})).toBe('EPERM');
    expect(await outcome('netops', Subjects.objPin, { pathname: '/sys/fs/bpf/not_yours', map_id })).toBe('EPERM');
    expect(await outcome('netops', Subjects.mapCreate, { map_type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 1, inner_map_id: map_id })).toBe('EPERM');
    expect(await outcome('tracer', Subjects.map(map_id, 'freeze'), {})).toBe('ok');
    expect(await outcome('tracer', Subjects.map(map_id, 'close'), {})).toBe('ok');
    expect(await outcome('user', Subjects.map(999_999, 'lookup_elem'), { key: u32(1) })).toBe('EPERM');
    expect(await outcome('admin', Subjects.map(999_999, 'lookup_elem'), { key: u32(1) })).toBe('ENOENT');
  });

  it('map owners - a pinned map survives SIGKILL and restart charged to its creator, who may still use and close it; others still may not', async () => {
    const { map_id } = (await ok('netops', Subjects.mapCreate, HASH)) as { map_id: number };
    await ok('netops', Subjects.map(map_id, 'update_elem'), { key: u32(7), value: value(7), flags: 0 });
    await ok('netops', Subjects.objPin, { pathname: '/sys/fs/bpf/netops_kept', map_id });
    const charged = (await stats()).accounts.NETOPS;
    expect(charged).toMatchObject({ maps: 1 });

    store!.kill('SIGKILL');
    await new Promise((resolve) => store!.once('exit', resolve));
    store = (await startMapsStore(nats.url, env)).child;

    expect((await stats()).accounts.NETOPS).toEqual(charged);
    expect((await ok('netops', Subjects.map(map_id, 'lookup_elem'), { key: u32(7) })).value).toBe(value(7));
    expect(await outcome('tracer', Subjects.map(map_id, 'lookup_elem'), { key: u32(7) })).toBe('EPERM');
    // The pin is still its maker's (bpffs ownership is stored with the snapshot).
    expect(await ok('netops', Subjects.objGet, { pathname: '/sys/fs/bpf/netops_kept' })).toEqual({ map_id });
    expect(await outcome('tracer', Subjects.objGet, { pathname: '/sys/fs/bpf/netops_kept' })).toBe('EACCES');
    expect(await outcome('admin', Subjects.objGet, { pathname: '/sys/fs/bpf/netops_kept' })).toBe('ok');
    expect(await outcome('netops', Subjects.map(map_id, 'close'), {})).toBe('ok');
    await ok('netops', Subjects.objUnpin, { pathname: '/sys/fs/bpf/netops_kept' });
    expect((await stats()).accounts.NETOPS).toBeUndefined();
  });
});

describe('map owners over NATS - maps of maps name their inner maps by id', () => {
  it('map owners - an inner map must be the caller\'s too: update_elem and update_batch with another account\'s map are EPERM', async () => {
    const theirs = (await ok('tracer', Subjects.mapCreate, HASH)).map_id as number;
    const mine = (await ok('netops', Subjects.mapCreate, HASH)).map_id as number;
    const outer = (await ok('netops', Subjects.mapCreate, { map_type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 2, inner_map_id: mine })).map_id as number;
    expect(await outcome('netops', Subjects.map(outer, 'update_elem'), { key: u32(0), value: u32(theirs), flags: 0 })).toBe('EPERM');
    expect(await outcome('netops', Subjects.map(outer, 'update_batch'), { keys: [u32(0), u32(1)], values: [u32(mine), u32(theirs)] })).toBe('EPERM');
    expect(await outcome('netops', Subjects.map(outer, 'lookup_elem'), { key: u32(1) })).toBe('ENOENT');
    expect(await outcome('netops', Subjects.map(outer, 'update_elem'), { key: u32(0), value: u32(mine), flags: 0 })).toBe('ok');
    // CAP_SYS_ADMIN may put any map in (it could open any by id).
    expect(await outcome('admin', Subjects.map(outer, 'update_elem'), { key: u32(1), value: u32(theirs), flags: 0 })).toBe('ok');
    for (const [who, id] of [['netops', outer], ['netops', mine], ['tracer', theirs]] as const) await ok(who, Subjects.map(id, 'close'), {});
  });
});
