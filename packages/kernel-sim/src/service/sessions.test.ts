import type { NatsConnection } from '@nats-io/transport-node';
import type { Service, ServiceMsg } from '@nats-io/services';
import { BpfError, type CallerIdentity, SESSION_HEADER, Subjects, identityFromRequestInfo } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { KernelSessions } from './sessions.js';

const ID = '0123456789abcdef0123456789abcdef';
const alice = identityFromRequestInfo([JSON.stringify({ acc: 'USERS', user: 'alice' })]);
const bob = identityFromRequestInfo([JSON.stringify({ acc: 'USERS', user: 'bob' })]);

/** A maps-store answering `check`: the session is open and alice's, or `refusal` (an errno name). */
function fakeMapsStore(state: { refusal?: string; checks: number }): NatsConnection {
  const encode = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
  return {
    request: async (subject: string) => {
      expect(subject).toBe(Subjects.internalSession(ID, 'check'));
      state.checks++;
      if (state.refusal) return { data: encode({ errno: 9, code: state.refusal, message: 'not open' }), headers: { get: () => '9' } };
      return { data: encode({ ttl_ms: 1_000, account: 'USERS', user: 'alice', source: 'server' }), headers: undefined };
    },
  } as unknown as NatsConnection;
}

/** A request naming `session` in its Bpf-Session header. */
const request = (session?: string): ServiceMsg =>
  ({ headers: { keys: () => (session ? [SESSION_HEADER] : []), values: () => (session ? [session] : []) } }) as unknown as ServiceMsg;

/** A service whose endpoints the test calls: `end(id)` delivers bpf.v1.internal.session.<id>.end and says how it was answered. */
function fakeService(): { service: Service; end: (id: string) => Promise<'ok' | 'error'> } {
  const handlers: ((err: Error | null, msg: ServiceMsg) => void)[] = [];
  const service = { addEndpoint: (_n: string, o: { handler: (err: Error | null, msg: ServiceMsg) => void }) => void handlers.push(o.handler), stopped: new Promise(() => {}) };
  const end = (id: string): Promise<'ok' | 'error'> =>
    new Promise((resolve) => {
      const msg = { subject: Subjects.internalSession(id, 'end'), data: new TextEncoder().encode('{}'), respond: () => (resolve('ok'), true), respondError: () => (resolve('error'), true) };
      handlers[0]!(null, msg as unknown as ServiceMsg);
    });
  return { service: service as unknown as Service, end };
}

function setup(state = { checks: 0 } as { refusal?: string; checks: number }) {
  const sessions = new KernelSessions(fakeMapsStore(state), { recheckMs: 3_600_000 });
  const closed: string[] = [];
  for (const kind of ['prog', 'link', 'btf'] as const) {
    sessions.closer(kind, (id) => {
      if (closed.includes(`${kind} ${id}`)) throw new BpfError('EBADF', 'closed already');
      closed.push(`${kind} ${id}`);
    });
  }
  const { service, end } = fakeService();
  sessions.serve(service);
  const make = (who: CallerIdentity, kind: 'prog' | 'link' | 'btf', id: number, session: string | null = ID) =>
    sessions.create(request(session ?? undefined), who, kind, `${kind} create`, () => id, (n) => n);
  return { sessions, closed, end, make, state };
}

const codeOf = (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (e: unknown) => (e instanceof BpfError ? e.code : String(e)));

describe('kernel sessions', () => {
  it('objects made under a session are closed when it ends, newest first; the maps-store is asked once', async () => {
    const { closed, end, make, state } = setup();
    await make(alice, 'btf', 1);
    await make(alice, 'prog', 5);
    await make(alice, 'link', 2);
    await make(alice, 'prog', 9, null);
    expect(state.checks).toBe(1);
    expect(await end(ID)).toBe('ok');
    expect(closed).toEqual(['link 2', 'prog 5', 'btf 1']);
    expect(await end(ID)).toBe('ok');
    expect(closed).toHaveLength(3);
  });

  it('another caller naming the session is EPERM and makes nothing; a session the maps-store does not know is EBADF', async () => {
    const { make } = setup();
    await make(alice, 'prog', 1);
    expect(await codeOf(make(bob, 'prog', 2))).toBe('EPERM');
    const refused = setup({ refusal: 'EBADF', checks: 0 });
    expect(await codeOf(refused.make(alice, 'prog', 3))).toBe('EBADF');
  });

  it('a session that ends while an object is being made gets it closed, and the request EBADF', async () => {
    const { sessions, closed, end } = setup();
    const made = sessions.create(request(ID), alice, 'prog', 'prog_load', async () => {
      await end(ID);
      return 7;
    }, (n) => n);
    expect(await codeOf(made)).toBe('EBADF');
    expect(closed).toEqual(['prog 7']);
  });

  it('an object its client closed already (EBADF on a second close) does not stop the rest from closing', async () => {
    const { closed, end, make } = setup();
    await make(alice, 'prog', 4);
    await make(alice, 'link', 8);
    closed.push('prog 4');
    expect(await end(ID)).toBe('ok');
    expect(closed).toEqual(['prog 4', 'link 8']);
  });
});
