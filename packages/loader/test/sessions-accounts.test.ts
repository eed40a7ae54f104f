import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsConnection, connect, headers } from '@nats-io/transport-node';
import { type NatsTestServer, bpfhiveNatsOptions, startNatsServer } from '@bpfhive/testkit';
import { SESSION_HEADER, Subjects } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient } from '../src/client/index.js';
import { MAPS_STORE_MAIN, type ServiceProcess, startService } from './support/services.js';

/**
 * Sessions belong to their opener (wire/identity.ts): over deploy/nats/bpfhive.conf, where the
 * NATS server names every caller's account, another account may not keep someone's session
 * alive, close it or create under it (EPERM); CAP_SYS_ADMIN may close it, as root may kill a
 * process. The maps-store runs as its own process in secure mode.
 */
// nats-server parses a variable's value as a config value: one starting with a digit is a number (and fails).
const PASSWORDS = Object.fromEntries(['SERVICES', 'ADMIN', 'TRACER', 'NETOPS', 'USER'].map((who) => [`BPFHIVE_${who}_PASSWORD`, `pw${randomBytes(12).toString('hex')}`]));
const LOGINS = { admin: 'ADMIN', netops: 'NETOPS', user: 'USER' } as const;
type Login = keyof typeof LOGINS;
const HASH = { map_type: 'hash', key_size: 4, value_size: 4, max_entries: 8 } as const;

let nats: NatsTestServer;
let mapsStore: ServiceProcess;
const connections = new Map<Login, NatsConnection>();

beforeAll(async () => {
  nats = await startNatsServer({ ...bpfhiveNatsOptions(PASSWORDS) });
  mapsStore = await startService(MAPS_STORE_MAIN, {
    NATS_URL: nats.url,
    NATS_USER: 'bpfhive',
    NATS_PASSWORD: PASSWORDS.BPFHIVE_SERVICES_PASSWORD!,
    BPFHIVE_IDENTITY: 'secure',
    MAPS_STORE_DATA: mkdtempSync(join(tmpdir(), 'bpfhive-sessions-test-')),
  });
  for (const [user, password] of Object.entries(LOGINS) as [Login, string][]) {
    connections.set(user, await connect({ servers: nats.url, user, pass: PASSWORDS[`BPFHIVE_${password}_PASSWORD`]!, noAsyncTraces: true }));
  }
}, 60_000);

afterAll(async () => {
  for (const nc of connections.values()) await nc.close();
  await mapsStore?.stop();
  await nats?.stop();
});

/** 'ok' or the errno name of `login`'s request, naming `session` in the header when given. */
async function outcome(login: Login, subject: string, body: unknown, session?: string): Promise<string> {
  const h = headers();
  if (session !== undefined) h.set(SESSION_HEADER, session);
  const reply = await connections.get(login)!.request(subject, JSON.stringify(body), { timeout: 10_000, headers: h });
  return reply.headers?.get('Nats-Service-Error-Code') ? reply.json<{ code: string }>().code : 'ok';
}

describe('sessions - owners', () => {
  it("another account's keepalive, close or create under the session is EPERM; the opener's work; CAP_SYS_ADMIN may close it", async () => {
    const client = new BpfClient(connections.get('user')!);
    const id = await client.openSession({ ttlMs: 60_000 });
    expect(await outcome('netops', Subjects.session(id, 'keepalive'), {})).toBe('EPERM');
    expect(await outcome('netops', Subjects.session(id, 'close'), {})).toBe('EPERM');
    expect(await outcome('netops', Subjects.mapCreate, HASH, id)).toBe('EPERM');
    expect(await outcome('user', Subjects.session(id, 'keepalive'), {})).toBe('ok');
    const map = await client.mapCreate(HASH);
    expect(await outcome('user', Subjects.map(map, 'info'), {})).toBe('ok');

    expect(await outcome('admin', Subjects.session(id, 'close'), {})).toBe('ok');
    // The map is gone (ENOENT to CAP_SYS_ADMIN); to others any id that is not theirs is EPERM, as bpf_map_get_fd_by_id answers.
    expect(await outcome('admin', Subjects.map(map, 'info'), {})).toBe('ENOENT');
    expect(await outcome('user', Subjects.map(map, 'info'), {})).toBe('EPERM');
    expect(await outcome('user', Subjects.session(id, 'keepalive'), {})).toBe('EBADF');
    await client.closeSession();
  }, 30_000);
});
