import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsTestServer, bpfhiveNatsOptions, startNatsServer } from '@bpfhive/testkit';
import { QueueGroups, Subjects, assemble, decode, encode, fromBase64, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceMain, startProcess } from './support/services.js';

/**
 * Linux's privilege checks, decided by NATS: a real nats-server running deploy/nats/bpfhive.conf,
 * the maps-store and the kernel-sim as their own processes logged in as the services' user
 * (NATS_USER / NATS_PASSWORD) with BPFHIVE_IDENTITY=secure, a stand-in verifier in the services'
 * account, and the four role users asking. Each gets what Linux gives a user with those
 * capabilities (packages/uapi/src/wire/identity.ts).
 */
const MAPS_STORE_MAIN = fileURLToPath(new URL('../../maps-store/dist/main.js', import.meta.url));
// nats-server parses a variable's value as a config value: one starting with a digit is a number (and fails).
const PASSWORDS = Object.fromEntries(['SERVICES', 'ADMIN', 'TRACER', 'NETOPS', 'USER'].map((who) => [`BPFHIVE_${who}_PASSWORD`, `pw${randomBytes(12).toString('hex')}`]));
const USERS = { admin: 'ADMIN', tracer: 'TRACER', netops: 'NETOPS', user: 'USER' } as const;
type User = keyof typeof USERS;

let nats: NatsTestServer;
let services: NatsConnection;
let dataDir: string;
const children: ChildProcess[] = [];
const clients = new Map<User, NatsConnection>();
/** The `privileges` of every verify request, in order. */
const verified: unknown[] = [];

interface Reply {
  readonly code?: string;
  readonly body: Record<string, unknown>;
}

async function ask(user: User, subject: string, body: unknown): Promise<Reply> {
  const msg = await clients.get(user)!.request(subject, JSON.stringify(body), { timeout: 10_000 });
  const parsed = JSON.parse(msg.string()) as Record<string, unknown>;
  return msg.headers?.get('Nats-Service-Error-Code') ? { code: String(parsed.code), body: parsed } : { body: parsed };
}

/** 'ok', or the errno name of the refusal. */
const outcome = async (user: User, subject: string, body: unknown): Promise<string> => (await ask(user, subject, body)).code ?? 'ok';

async function ok(user: User, subject: string, body: unknown): Promise<Record<string, unknown>> {
  const reply = await ask(user, subject, body);
  if (reply.code) throw new Error(`${user} ${subject}: ${reply.code}: ${String(reply.body.message)}`);
  return reply.body;
}

const insns = (text: string): string => toBase64(encode(assemble(text)));
const load = (prog_type: string, text = 'r0 = 0\nexit') => ({ prog_type, insns: insns(text), license: 'GPL' });
const u32 = (n: number): string => toBase64(new Uint8Array(new Uint32Array([n]).buffer));

/** Accepts every program in the verifier's queue group, noting the loader's capabilities. */
function standInVerifier(nc: NatsConnection): void {
  nc.subscribe(Subjects.internalVerify, {
    queue: QueueGroups.verifier,
    callback: (err, msg) => {
      if (err) return;
      const request = msg.json<{ insns: string; privileges?: unknown }>();
      verified.push(request.privileges);
      const processed = decode(fromBase64(request.insns, 'insns')).length;
      msg.respond(JSON.stringify({ verdict: 'accept', log: '', stats: { processed_insns: processed, total_states: 0, peak_states: 0 }, facts: {} }));
    },
  });
}

beforeAll(async () => {
  nats = await startNatsServer({ ...bpfhiveNatsOptions(PASSWORDS) });
  const login = { NATS_URL: nats.url, NATS_USER: 'bpfhive', NATS_PASSWORD: PASSWORDS.BPFHIVE_SERVICES_PASSWORD!, BPFHIVE_IDENTITY: 'secure' };
  services = await connect({ servers: nats.url, user: 'bpfhive', pass: login.NATS_PASSWORD, noAsyncTraces: true });
  standInVerifier(services);
  await services.flush();
  dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-privileges-test-'));
  children.push(await startProcess(MAPS_STORE_MAIN, { ...login, MAPS_STORE_CPUS: '2', MAPS_STORE_DATA: dataDir }, /serving/));
  children.push(await startProcess(serviceMain('kernel-sim'), { ...login, KERNEL_SIM_JIT: 'local', KERNEL_SIM_CPUS: '2' }, /serving/));
  for (const [user, password] of Object.entries(USERS) as [User, string][]) {
    clients.set(user, await connect({ servers: nats.url, user, pass: PASSWORDS[`BPFHIVE_${password}_PASSWORD`]!, noAsyncTraces: true }));
  }
}, 60_000);

afterAll(async () => {
  for (const nc of clients.values()) await nc.close();
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await services?.close();
  await nats?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const MAP = { key_size: 4, value_size: 8, max_entries: 4 };
const LONG = `${'r0 = 0\n'.repeat(4096)}exit`;
type Expected = Readonly<Record<User, string>>;
const all = (o: string): Expected => ({ admin: o, tracer: o, netops: o, user: o });

describe('privileges - what each role may do, as Linux decides it', () => {
  it.each<[string, string, unknown, Expected]>([
    ['map_create of a hash map (no capability needed)', Subjects.mapCreate, { map_type: 'hash', ...MAP }, all('ok')],
    ['map_create of an LRU hash (CAP_BPF)', Subjects.mapCreate, { map_type: 'lru_hash', ...MAP }, { admin: 'ok', tracer: 'ok', netops: 'ok', user: 'EPERM' }],
    ['map_create of a devmap (CAP_NET_ADMIN)', Subjects.mapCreate, { map_type: 'devmap', key_size: 4, value_size: 4, max_entries: 1 }, { admin: 'ok', tracer: 'EPERM', netops: 'ok', user: 'EPERM' }],
    ['map_get_next_id (CAP_SYS_ADMIN)', Subjects.getNextId('map'), { start_id: 0 }, { admin: 'ok', tracer: 'EPERM', netops: 'EPERM', user: 'EPERM' }],
    ['prog_load of a socket filter (unprivileged)', Subjects.progLoad, load('socket_filter'), all('ok')],
    ['prog_load of a cgroup_skb program (unprivileged)', Subjects.progLoad, load('cgroup_skb'), all('ok')],
    ['prog_load of an XDP program (CAP_BPF + CAP_NET_ADMIN)', Subjects.progLoad, load('xdp', 'r0 = 2\nexit'), { admin: 'ok', tracer: 'EPERM', netops: 'ok', user: 'EPERM' }],
    ['prog_load of a kprobe (CAP_BPF + CAP_PERFMON)', Subjects.progLoad, load('kprobe'), { admin: 'ok', tracer: 'ok', netops: 'EPERM', user: 'EPERM' }],
    ['prog_load of a syscall program (CAP_BPF)', Subjects.progLoad, load('syscall'), { admin: 'ok', tracer: 'ok', netops: 'ok', user: 'EPERM' }],
    ['prog_load of 4,097 instructions (more than BPF_MAXINSNS needs CAP_BPF)', Subjects.progLoad, load('socket_filter', LONG), { admin: 'ok', tracer: 'ok', netops: 'ok', user: 'E2BIG' }],
    ['prog_get_next_id (CAP_SYS_ADMIN)', Subjects.getNextId('prog'), { start_id: 0 }, { admin: 'ok', tracer: 'EPERM', netops: 'EPERM', user: 'EPERM' }],
  ])('%s', async (_title, subject, body, expected) => {
    const got: Record<string, string> = {};
    for (const user of Object.keys(USERS) as User[]) got[user] = await outcome(user, subject, body);
    expect(got).toEqual(expected);
  });

  it('the verifier hears the loader capabilities: none for the user, CAP_BPF and CAP_NET_ADMIN for netops', async () => {
    verified.length = 0;
    await ok('user', Subjects.progLoad, load('socket_filter'));
    await ok('netops', Subjects.progLoad, load('xdp', 'r0 = 2\nexit'));
    expect(verified).toEqual([[], ['CAP_BPF', 'CAP_NET_ADMIN']]);
  });

  it('a program is its loader account\'s: others need CAP_SYS_ADMIN for test_run, info and close', async () => {
    const { prog_id: id } = (await ok('netops', Subjects.progLoad, load('xdp', 'r0 = 2\nexit'))) as { prog_id: number };
    const run = { data_in: toBase64(new Uint8Array(64)) };
    for (const user of ['tracer', 'user'] as const) {
      expect(await ask(user, Subjects.prog(id, 'test_run'), run)).toMatchObject({ code: 'EPERM', body: { message: expect.stringMatching(/CAP_SYS_ADMIN required/) } });
      expect(await outcome(user, Subjects.prog(id, 'info'), {})).toBe('EPERM');
      expect(await outcome(user, Subjects.prog(id, 'close'), {})).toBe('EPERM');
    }
    expect(await ok('netops', Subjects.prog(id, 'test_run'), run)).toMatchObject({ retval: 2 });
    expect(await outcome('admin', Subjects.prog(id, 'info'), {})).toBe('ok');
    expect(await outcome('netops', Subjects.prog(id, 'close'), {})).toBe('ok');
    // Closed by its loader: the id no longer answers to netops, only to CAP_SYS_ADMIN (here: gone).
    expect(await outcome('netops', Subjects.prog(id, 'info'), {})).toBe('EPERM');
    expect(await outcome('admin', Subjects.prog(id, 'info'), {})).toBe('ENOENT');
  });

  it('info shows the instructions and the module only to a caller with CAP_BPF', async () => {
    const mine = (await ok('user', Subjects.progLoad, load('socket_filter'))).prog_id as number;
    const user = await ok('user', Subjects.prog(mine, 'info'), {});
    expect(user).toMatchObject({ xlated_prog_len: 0, jited_prog_len: 0, memlock: 4096, boot_time_ns: expect.any(Number) });
    for (const hidden of ['xlated_prog_insns', 'jited_prog_insns', 'jited_prog_wat']) expect(user).not.toHaveProperty(hidden);
    const admin = await ok('admin', Subjects.prog(mine, 'info'), {});
    expect(admin).toMatchObject({ xlated_prog_len: 16, jited_prog_wat: expect.stringMatching(/^\(module/) });
    expect(fromBase64(admin.xlated_prog_insns as string, 'xlated')).toEqual(encode(assemble('r0 = 0\nexit')));
    expect(fromBase64(admin.jited_prog_insns as string, 'jited').length).toBe(admin.jited_prog_len);
  });

  it('a pin is its maker account\'s: obj_get by another needs CAP_SYS_ADMIN (EACCES otherwise)', async () => {
    const { map_id } = (await ok('netops', Subjects.mapCreate, { map_type: 'hash', ...MAP })) as { map_id: number };
    await ok('netops', Subjects.objPin, { pathname: '/sys/fs/bpf/netops_counts', map_id });
    const get = { pathname: '/sys/fs/bpf/netops_counts' };
    expect(await ok('netops', Subjects.objGet, get)).toEqual({ map_id });
    expect(await ok('admin', Subjects.objGet, get)).toEqual({ map_id });
    expect(await outcome('tracer', Subjects.objGet, get)).toBe('EACCES');
    expect(await outcome('user', Subjects.objGet, { pathname: '/sys/fs/bpf/nothing_here' })).toBe('ENOENT');
    // obj_list (bpftool --bpffs) shows the pins obj_get would open: the maker's, all for CAP_SYS_ADMIN.
    const listing = { pins: [{ pathname: get.pathname, kind: 'map', id: map_id }] };
    expect(await ok('netops', Subjects.objList, { prefix: get.pathname })).toEqual(listing);
    expect(await ok('admin', Subjects.objList, { prefix: get.pathname })).toEqual(listing);
    expect(await ok('tracer', Subjects.objList, { prefix: get.pathname })).toEqual({ pins: [] });
  });

  it('a program pin is a kernel reference taken with the client\'s identity: only who may name the program pins it; obj_get lets the getter use it', async () => {
    const { prog_id } = (await ok('netops', Subjects.progLoad, load('xdp'))) as { prog_id: number };
    const pin = { pathname: '/sys/fs/bpf/netops_xdp', prog_id };
    // The kernel-sim judges the client the maps-store forwards: the user may not name netops' program.
    expect(await outcome('user', Subjects.objPin, pin)).toBe('EPERM');
    await ok('netops', Subjects.objPin, pin);
    await ok('netops', Subjects.prog(prog_id, 'close'), {});
    // Closed, the program is CAP_SYS_ADMIN's until its maker gets it back from the pin.
    expect(await outcome('netops', Subjects.prog(prog_id, 'info'), {})).toBe('EPERM');
    expect(await ok('netops', Subjects.objGet, { pathname: pin.pathname })).toEqual({ prog_id });
    expect(await ok('netops', Subjects.prog(prog_id, 'info'), {})).toMatchObject({ id: prog_id });
    expect(await outcome('tracer', Subjects.objUnpin, { pathname: pin.pathname })).toBe('EACCES');
    await ok('netops', Subjects.objUnpin, { pathname: pin.pathname });
    expect(await outcome('admin', Subjects.prog(prog_id, 'info'), {})).toBe('ENOENT');
  });

  it('a program using a map leases it from the maps-store with the services\' login, and gives it back', async () => {
    const { map_id } = (await ok('netops', Subjects.mapCreate, { map_type: 'array', ...MAP })) as { map_id: number };
    const { prog_id } = (await ok('netops', Subjects.progLoad, load('xdp', `ld_pseudo r1, 1, ${map_id}\nr0 = 2\nexit`))) as { prog_id: number };
    await ok('netops', Subjects.map(map_id, 'update_elem'), { key: u32(1), value: toBase64(new Uint8Array(8).fill(5)), flags: 0 });
    expect(await ok('netops', Subjects.prog(prog_id, 'info'), {})).toMatchObject({ map_ids: [map_id] });
    await ok('netops', Subjects.prog(prog_id, 'close'), {});
    // Whoever answers now (the kernel while the map goes home, then the maps-store) has the kernel's contents.
    expect((await ok('netops', Subjects.map(map_id, 'lookup_elem'), { key: u32(1) })).value).toBe(toBase64(new Uint8Array(8).fill(5)));
  });
});
