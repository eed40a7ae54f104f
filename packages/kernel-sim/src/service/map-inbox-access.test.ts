import type { Msg } from '@nats-io/transport-node';
import { Arena, type HostedMap, createMap } from '@bpfhive/maps-store';
import { toBase64 } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { NatsMapInbox } from './map-inbox.js';

/**
 * The maps-store's owner check, applied by a kernel answering a map it leases (maps-store
 * core/map-access.ts): the accounts come with the lease (NatsMapInbox.allow), the caller from the
 * Nats-Request-Info header the NATS server sets.
 */

/** A request on `bpf.v1.map.5.<command>` from `account` (none: no header) that records its answers, an error's code first. */
function request(command: string, body: unknown, account?: string) {
  const answers: string[] = [];
  const info = account === undefined ? [] : [JSON.stringify({ acc: account, user: account.toLowerCase() })];
  const msg = {
    subject: `bpf.v1.map.5.${command}`,
    reply: '_INBOX.1',
    data: new TextEncoder().encode(JSON.stringify(body)),
    headers: { keys: () => (info.length ? ['Nats-Request-Info'] : []), values: () => info },
    respond: (data: string, opts?: { headers?: { get(k: string): string } }) => {
      answers.push(`${opts?.headers?.get('Nats-Service-Error-Code') ?? ''}${data}`);
      return true;
    },
  };
  return { msg: msg as unknown as Msg, answers };
}

const key = toBase64(Uint8Array.of(1, 0, 0, 0));
const value = toBase64(Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0));

function hashMap(): HostedMap {
  return { id: 5, map: createMap({ map_type: 1, key_size: 4, value_size: 8, max_entries: 8, map_flags: 0 }, new Arena()), frozen: false };
}

async function answersOf(inbox: NatsMapInbox, command: string, body: unknown, account?: string): Promise<string[]> {
  const r = request(command, body, account);
  inbox.receive(r.msg);
  await new Promise((resolve) => setImmediate(resolve));
  return r.answers;
}

describe('leased map inbox - owner checks', () => {
  it('map inbox - with the lease\'s accounts, a listed account and CAP_SYS_ADMIN are answered; another account gets EPERM and changes nothing', async () => {
    const inbox = new NatsMapInbox(() => undefined);
    inbox.allow({ owner: 'NETOPS', accounts: ['NETOPS'] });
    inbox.serve(hashMap(), () => Promise.resolve());
    expect(await answersOf(inbox, 'update_elem', { key, value, flags: 0 }, 'NETOPS')).toEqual(['{}']);
    const refused = await answersOf(inbox, 'update_elem', { key, value: toBase64(new Uint8Array(8)), flags: 0 }, 'TRACER');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^1\{"errno":1,"code":"EPERM","message":"map update_elem: map 5 was neither created nor opened \(obj_get\) by TRACER\/tracer; CAP_SYS_ADMIN required"/);
    expect(await answersOf(inbox, 'lookup_elem', { key }, 'ADMIN')).toEqual([JSON.stringify({ value })]);
  });

  it('map inbox - an obj_get grant a renewal brings lets the getter in', async () => {
    const inbox = new NatsMapInbox(() => undefined);
    inbox.allow({ owner: 'NETOPS', accounts: ['NETOPS'] });
    inbox.serve(hashMap(), () => Promise.resolve());
    expect((await answersOf(inbox, 'get_next_key', {}, 'TRACER'))[0]).toMatch(/^1\{/);
    inbox.allow({ owner: 'NETOPS', accounts: ['NETOPS', 'TRACER'] });
    expect((await answersOf(inbox, 'get_next_key', {}, 'TRACER'))[0]).toMatch(/^2\{"errno":2,"code":"ENOENT"/);
    expect(inbox.access).toEqual({ owner: 'NETOPS', accounts: ['NETOPS', 'TRACER'] });
  });

  it('map inbox - a caller without the header: every capability in embedded mode, none in secure mode', async () => {
    const embedded = new NatsMapInbox(() => undefined);
    embedded.allow({ owner: '(unidentified)', accounts: [] });
    embedded.serve(hashMap(), () => Promise.resolve());
    expect((await answersOf(embedded, 'get_next_key', {}))[0]).toMatch(/^2\{/);
    const secure = new NatsMapInbox(() => undefined, { mode: 'secure', roles: {} });
    secure.allow({ owner: 'NETOPS', accounts: ['NETOPS'] });
    secure.serve(hashMap(), () => Promise.resolve());
    expect((await answersOf(secure, 'get_next_key', {}))[0]).toMatch(/^1\{"errno":1,"code":"EPERM".*by an unidentified caller/);
  });

  it('map inbox - a lease without accounts (an older maps-store) is answered unchecked, as before', async () => {
    const inbox = new NatsMapInbox(() => undefined);
    inbox.serve(hashMap(), () => Promise.resolve());
    expect((await answersOf(inbox, 'get_next_key', {}, 'TRACER'))[0]).toMatch(/^2\{/);
  });
});
