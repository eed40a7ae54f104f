/**
 * The privilege model against a real nats-server running deploy/nats/bpfhive.conf: the server,
 * not the client, says who is asking (packages/uapi/src/wire/identity.ts). A responder in the
 * services account answers with the identity it parsed; each role's user, forgeries, subjects
 * that are not exported, and anonymous connections are tried against it.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { type Msg, type NatsConnection, connect, headers } from '@nats-io/transport-node';
import {
  type CallerIdentity,
  DEFAULT_IDENTITY_POLICY,
  type IdentityPolicy,
  type ReplyableMessage,
  callerIdentity,
  errnoNumber,
  requireCapability,
  respond,
} from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsTestServer, bpfhiveNatsOptions, startNatsServer } from '../src/index.js';

/** Fresh passwords, given to nats-server as environment variables, as docker-compose does. */
const PASSWORDS = Object.fromEntries(
  ['SERVICES', 'ADMIN', 'TRACER', 'NETOPS', 'USER'].map((who) => [`BPFHIVE_${who}_PASSWORD`, `pw${randomBytes(12).toString('hex')}`]),
);
const LOGINS = {
  admin: PASSWORDS.BPFHIVE_ADMIN_PASSWORD!,
  tracer: PASSWORDS.BPFHIVE_TRACER_PASSWORD!,
  netops: PASSWORDS.BPFHIVE_NETOPS_PASSWORD!,
  user: PASSWORDS.BPFHIVE_USER_PASSWORD!,
} as const;
type Login = keyof typeof LOGINS;
const SECURE: IdentityPolicy = { ...DEFAULT_IDENTITY_POLICY, mode: 'secure' };

let nats: NatsTestServer;
let services: NatsConnection;
const clients = new Map<Login, NatsConnection>();

/** What a ServiceMsg offers, built on a core message (testkit does not depend on @nats-io/services). */
function replyable(m: Msg): ReplyableMessage {
  return {
    data: m.data,
    subject: m.subject,
    respond: (data) => m.respond(data),
    respondError: (code, description, data) => {
      const h = headers();
      h.set('Nats-Service-Error-Code', String(code));
      h.set('Nats-Service-Error', description);
      return m.respond(data ?? '', { headers: h });
    },
  };
}

/** A responder in the services account, answering as a bpfhive service adapter would. */
function serveIdentity(nc: NatsConnection, subject: string, handle: (who: CallerIdentity) => unknown): void {
  nc.subscribe(subject, {
    callback: (err, m) => {
      if (!err) void respond(replyable(m), () => handle(callerIdentity(m, SECURE)));
    },
  });
}

const shown = (who: CallerIdentity): object => ({ ...who, capabilities: [...who.capabilities].sort() });

function login(user: Login): Promise<NatsConnection> {
  return connect({ servers: nats.url, user, pass: LOGINS[user], noAsyncTraces: true });
}

async function ask(nc: NatsConnection, subject: string, body = '{}', h?: ReturnType<typeof headers>): Promise<Msg> {
  return nc.request(subject, body, { timeout: 2_000, ...(h && { headers: h }) });
}

beforeAll(async () => {
  nats = await startNatsServer({ ...bpfhiveNatsOptions(PASSWORDS) });
  services = await connect({ servers: nats.url, user: 'bpfhive', pass: PASSWORDS.BPFHIVE_SERVICES_PASSWORD!, noAsyncTraces: true });
  serveIdentity(services, 'bpf.v1.map_create', shown);
  serveIdentity(services, 'bpf.v1.map.*.lookup_elem', shown);
  serveIdentity(services, 'bpf.v1.prog_load', (who) => {
    requireCapability(who, 'CAP_NET_ADMIN', 'prog_load xdp');
    return { prog_id: 1 };
  });
  serveIdentity(services, 'bpf.v1.internal.verify', () => ({ verdict: 'accepted' }));
  for (const name of ['maps-store', 'kernel-sim']) {
    services.subscribe('$SRV.PING', { callback: (_e, m) => void m.respond(JSON.stringify({ name })) });
  }
  await services.flush();
  for (const user of Object.keys(LOGINS) as Login[]) clients.set(user, await login(user));
});

afterAll(async () => {
  for (const nc of clients.values()) await nc.close();
  await services?.close();
  await nats?.stop();
});

describe('privileges - the NATS server says who is asking', () => {
  it.each([
    ['admin', 'ADMIN', ['CAP_BPF', 'CAP_NET_ADMIN', 'CAP_PERFMON', 'CAP_SYS_ADMIN']],
    ['tracer', 'TRACER', ['CAP_BPF', 'CAP_PERFMON']],
    ['netops', 'NETOPS', ['CAP_BPF', 'CAP_NET_ADMIN']],
    ['user', 'USERS', []],
  ] as const)('%s is seen as account %s with %j', async (user, account, capabilities) => {
    const reply = await ask(clients.get(user)!, 'bpf.v1.map_create');
    expect(reply.json()).toEqual({ account, user, capabilities, source: 'server' });
  });

  it.each(['admin', 'netops'] as const)('prog_load of an XDP program by %s is served', async (user) => {
    expect((await ask(clients.get(user)!, 'bpf.v1.prog_load')).json()).toEqual({ prog_id: 1 });
  });

  it.each([
    ['tracer', 'TRACER/tracer'],
    ['user', 'USERS/user'],
  ] as const)('prog_load of an XDP program by %s is EPERM over the wire', async (user, principal) => {
    const reply = await ask(clients.get(user)!, 'bpf.v1.prog_load');
    expect(reply.headers?.get('Nats-Service-Error-Code')).toBe(String(errnoNumber('EPERM')));
    expect(reply.json()).toMatchObject({ code: 'EPERM', message: `prog_load xdp: CAP_NET_ADMIN required; ${principal} does not have it` });
  });

  it('a request inside the services account carries no header: secure mode gives nothing', async () => {
    expect((await ask(services, 'bpf.v1.map_create')).json()).toEqual({ account: '', user: '', capabilities: [], source: 'absent' });
  });
});

describe('privileges - what a client cannot forge', () => {
  const forged = JSON.stringify({ acc: 'ADMIN', user: 'admin' });

  it('a Nats-Request-Info header the client sends is replaced by the server', async () => {
    const h = headers();
    h.set('Nats-Request-Info', forged);
    expect((await ask(clients.get('user')!, 'bpf.v1.map_create', '{}', h)).json()).toMatchObject({ account: 'USERS', capabilities: [] });
  });

  it.each([
    ['twice', (h: ReturnType<typeof headers>) => (h.append('Nats-Request-Info', forged), h.append('Nats-Request-Info', forged))],
    ['in lower case', (h: ReturnType<typeof headers>) => h.set('nats-request-info', forged)],
    ['under a longer name first', (h: ReturnType<typeof headers>) => (h.set('X-Nats-Request-Info', forged), h.append('Nats-Request-Info', forged))],
  ])('a header sent %s gives no capability (servers before 2.11.15 keep a copy)', async (_how, add) => {
    const h = headers();
    add(h);
    const who = (await ask(clients.get('user')!, 'bpf.v1.map.7.lookup_elem', '{}', h)).json<{ account: string; capabilities: string[] }>();
    expect(who.capabilities).toEqual([]);
    expect(who.account).not.toBe('ADMIN');
  });

  it('a header block the service cannot decode gives no capability and no crash', async () => {
    const reply = await rawRequest('user', 'bpf.v1.map_create', [`Nats-Request-Info : ${forged}`]);
    expect(JSON.parse(reply)).toMatchObject({ source: 'rejected', capabilities: [] });
    expect((await ask(clients.get('user')!, 'bpf.v1.map_create')).json()).toMatchObject({ account: 'USERS' });
  });

  it('a subject that is not exported reaches no service, though a service listens on it', async () => {
    await expect(ask(clients.get('admin')!, 'bpf.v1.internal.verify')).rejects.toThrow(/no responders/);
    expect((await ask(services, 'bpf.v1.internal.verify')).json()).toEqual({ verdict: 'accepted' });
  });

  it("a client cannot subscribe to commands to read other users' requests", async () => {
    const nc = await login('tracer');
    try {
      const sub = nc.subscribe('bpf.v1.map_create');
      await expect((async () => {
        for await (const _ of sub) break;
      })()).rejects.toThrow(/Permissions Violation for Subscription/);
    } finally {
      await nc.close();
    }
  });

  it('trace_pipe reaches ADMIN and TRACER only, and no client can publish into it', async () => {
    const seen: Record<string, string[]> = {};
    const denied: string[] = [];
    const conns = await Promise.all((Object.keys(LOGINS) as Login[]).map(async (user) => [user, await login(user)] as const));
    try {
      for (const [user, nc] of conns) {
        seen[user] = [];
        nc.subscribe('bpf.v1.trace_pipe', { callback: (e, m) => void (e ? denied.push(user) : seen[user]!.push(m.string())) });
        await nc.flush();
      }
      const tracer = conns.find(([u]) => u === 'tracer')![1];
      tracer.publish('bpf.v1.trace_pipe', 'forged line');
      await tracer.flush();
      services.publish('bpf.v1.trace_pipe', 'bpf_trace_printk: hello');
      await services.flush();
      await until(() => seen.admin!.length + seen.tracer!.length === 2 && denied.length === 2);
      expect(seen).toEqual({ admin: ['bpf_trace_printk: hello'], tracer: ['bpf_trace_printk: hello'], netops: [], user: [] });
      expect(denied.sort()).toEqual(['netops', 'user']);
    } finally {
      for (const [, nc] of conns) await nc.close();
    }
  });
});

describe('privileges - connections and discovery', () => {
  it('an anonymous connection or a wrong password is refused', async () => {
    await expect(connect({ servers: nats.url, noAsyncTraces: true })).rejects.toThrow(/Authorization Violation/);
    await expect(connect({ servers: nats.url, user: 'admin', pass: 'admin-dev-wrong', noAsyncTraces: true })).rejects.toThrow(/Authorization Violation/);
  });

  it('micro service discovery crosses the import: one $SRV.PING, every service answers', async () => {
    const replies = await clients.get('user')!.requestMany('$SRV.PING', '', { maxWait: 500 });
    const names: string[] = [];
    for await (const m of replies) names.push(m.json<{ name: string }>().name);
    expect(names.sort()).toEqual(['kernel-sim', 'maps-store']);
  });

  it('JetStream is on for the services account only', async () => {
    const info = (await ask(services, '$JS.API.INFO', '')).json<{ type: string }>();
    expect(info.type).toBe('io.nats.jetstream.api.v1.account_info_response');
    await expect(ask(clients.get('admin')!, '$JS.API.INFO', '')).rejects.toThrow();
  });
});

async function until(done: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * One request over the raw NATS protocol, with header lines a client library would refuse to
 * build; resolves to the reply's payload.
 */
function rawRequest(user: Login, subject: string, headerLines: readonly string[]): Promise<string> {
  const port = Number(new URL(nats.url).port);
  const hdr = `NATS/1.0\r\n${headerLines.map((l) => `${l}\r\n`).join('')}\r\n`;
  const body = '{}';
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let buffer = '';
    let sent = false;
    const timer = setTimeout(() => fail(new Error(`no reply; got ${JSON.stringify(buffer.slice(-200))}`)), 2_000);
    function fail(e: Error): void {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    }
    socket.once('error', fail);
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      if (!sent && buffer.startsWith('INFO')) {
        sent = true;
        const connectJson = JSON.stringify({ user, pass: LOGINS[user], headers: true, verbose: false, pedantic: false, protocol: 1 });
        socket.write(`CONNECT ${connectJson}\r\nSUB _INBOX.raw.* 1\r\n`);
        socket.write(`HPUB ${subject} _INBOX.raw.1 ${hdr.length} ${hdr.length + body.length}\r\n${hdr}${body}\r\n`);
      }
      const m = /(?:H?MSG _INBOX\.raw\.1 1 (?:\d+ )?(\d+)\r\n)/.exec(buffer);
      if (m) {
        const start = m.index + m[0].length;
        const total = Number(m[1]);
        if (buffer.length >= start + total) {
          clearTimeout(timer);
          socket.destroy();
          const payload = buffer.slice(start, start + total);
          resolve(payload.includes('\r\n\r\n') ? payload.slice(payload.indexOf('\r\n\r\n') + 4) : payload);
        }
      }
      if (buffer.includes('-ERR')) fail(new Error(buffer.slice(buffer.indexOf('-ERR')).split('\r\n')[0]));
    });
  });
}
