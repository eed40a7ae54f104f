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
 * Per-account limits (uapi wire/limits.ts), decided by the account the NATS server names: a real
 * nats-server running deploy/nats/bpfhive.conf, the maps-store and the kernel-sim as their own
 * processes with small limits (2 programs, 1 link, 2 maps per account), a stand-in verifier, and
 * the role users asking. Each account has its own count; CAP_SYS_ADMIN is exempt; an object is
 * uncharged when it is freed, which for a program held by a link is when the link goes.
 */
const MAPS_STORE_MAIN = fileURLToPath(new URL('../../maps-store/dist/main.js', import.meta.url));
const PASSWORDS = Object.fromEntries(['SERVICES', 'ADMIN', 'TRACER', 'NETOPS', 'USER'].map((who) => [`BPFHIVE_${who}_PASSWORD`, `pw${randomBytes(12).toString('hex')}`]));
const USERS = { admin: 'ADMIN', tracer: 'TRACER', user: 'USER' } as const;
type User = keyof typeof USERS;
const LIMITS = { BPFHIVE_LIMIT_PROGS: '2', BPFHIVE_LIMIT_LINKS: '1', BPFHIVE_LIMIT_MAPS: '2' };

let nats: NatsTestServer;
let services: NatsConnection;
let dataDir: string;
const children: ChildProcess[] = [];
const clients = new Map<User, NatsConnection>();

beforeAll(async () => {
  nats = await startNatsServer({ ...bpfhiveNatsOptions(PASSWORDS) });
  const login = { NATS_URL: nats.url, NATS_USER: 'bpfhive', NATS_PASSWORD: PASSWORDS.BPFHIVE_SERVICES_PASSWORD!, BPFHIVE_IDENTITY: 'secure', ...LIMITS };
  services = await connect({ servers: nats.url, user: 'bpfhive', pass: login.NATS_PASSWORD, noAsyncTraces: true });
  services.subscribe(Subjects.internalVerify, {
    queue: QueueGroups.verifier,
    callback: (err, msg) => {
      if (err) return;
      const processed = decode(fromBase64(msg.json<{ insns: string }>().insns, 'insns')).length;
      msg.respond(JSON.stringify({ verdict: 'accept', log: '', stats: { processed_insns: processed, total_states: 0, peak_states: 0 }, facts: {} }));
    },
  });
  await services.flush();
  dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-limits-test-'));
  children.push(await startProcess(MAPS_STORE_MAIN, { ...login, MAPS_STORE_DATA: dataDir }, /serving/));
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

/** The reply body, or `{code, message}` of an errno reply. */
async function ask(user: User, subject: string, body: unknown): Promise<Record<string, unknown>> {
  const msg = await clients.get(user)!.request(subject, JSON.stringify(body), { timeout: 10_000 });
  return JSON.parse(msg.string()) as Record<string, unknown>;
}

const socketFilter = { prog_type: 'socket_filter', insns: toBase64(encode(assemble('r0 = 0\nexit'))), license: 'GPL' };
const cgroupSkb = { prog_type: 'cgroup_skb', expected_attach_type: 'cgroup_inet_ingress', insns: toBase64(encode(assemble('r0 = 1\nexit'))), license: 'GPL' };
const load = async (user: User, request: object = socketFilter): Promise<number> => {
  const reply = await ask(user, Subjects.progLoad, request);
  if (reply.code) throw new Error(`${user} prog_load: ${String(reply.code)}: ${String(reply.message)}`);
  return reply.prog_id as number;
};

describe('limits - per account, as the NATS server names it', () => {
  it('a third program is E2BIG for its account only; CAP_SYS_ADMIN is exempt; closing makes room', async () => {
    const mine = [await load('user'), await load('user')];
    expect(await ask('user', Subjects.progLoad, socketFilter)).toMatchObject({
      code: 'E2BIG',
      message: 'prog_load: USERS would exceed its limit of 2 programs (BPFHIVE_LIMIT_PROGS): 2 in use, this needs 1 more',
    });
    const theirs = await load('tracer');
    const admins = [await load('admin'), await load('admin'), await load('admin')];
    await ask('user', Subjects.prog(mine[0]!, 'close'), {});
    mine[0] = await load('user');
    for (const id of mine) await ask('user', Subjects.prog(id, 'close'), {});
    await ask('tracer', Subjects.prog(theirs, 'close'), {});
    for (const id of admins) await ask('admin', Subjects.prog(id, 'close'), {});
  });

  it('a program a link holds stays charged after its close, until the link goes; a second link is E2BIG', async () => {
    const prog = await load('user', cgroupSkb);
    const link = (await ask('user', Subjects.linkCreate, { prog_id: prog, attach_type: 'cgroup_inet_ingress', target_fd: 77 })).link_id as number;
    expect(await ask('user', Subjects.linkCreate, { prog_id: prog, attach_type: 'cgroup_inet_egress', target_fd: 77 })).toMatchObject({
      code: 'E2BIG',
      message: expect.stringContaining('USERS would exceed its limit of 1 links (BPFHIVE_LIMIT_LINKS)'),
    });
    await ask('user', Subjects.prog(prog, 'close'), {});
    const other = await load('user');
    expect(await ask('user', Subjects.progLoad, socketFilter)).toMatchObject({ code: 'E2BIG' });
    await ask('user', Subjects.link(link, 'close'), {});
    const again = await load('user');
    for (const id of [other, again]) await ask('user', Subjects.prog(id, 'close'), {});
  });

  it('maps are counted by the maps-store per account; only their creator closes them, which uncharges', async () => {
    const map = { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 4 };
    const ids = [(await ask('user', Subjects.mapCreate, map)).map_id as number, (await ask('user', Subjects.mapCreate, map)).map_id as number];
    expect(await ask('user', Subjects.mapCreate, map)).toMatchObject({ code: 'E2BIG', message: expect.stringContaining('USERS would exceed its limit of 2 maps') });
    expect((await ask('tracer', Subjects.mapCreate, map)).map_id).toBeGreaterThan(0);
    expect(await ask('tracer', Subjects.map(ids[0]!, 'close'), {})).toMatchObject({ code: 'EPERM' });
    await ask('user', Subjects.map(ids[0]!, 'close'), {});
    expect((await ask('user', Subjects.mapCreate, map)).map_id).toBeGreaterThan(0);
  });
});
