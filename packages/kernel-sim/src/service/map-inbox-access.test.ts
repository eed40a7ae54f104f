import type { Msg } from '@nats-io/transport-node';
import { Arena, type BpfMap, type HostedMap, checkMapAccess, createMap } from '@bpfhive/maps-store';
import { BpfError, MapType, toBase64 } from '@bpfhive/uapi';
import type { InnerMapHolds } from '../core/maps/lease-port.js';
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

/**
 * A map of maps (id 5, ARRAY_OF_MAPS of ARRAYs) served with InnerMapHolds over two maps this
 * "kernel" could hold — 7 (an ARRAY the accounts NETOPS may use) and 8 (a HASH: not the
 * template) — logging holds, drops, the engine's acquires and checkpoints in order. Any other id
 * names no map (EBADF); `busy` ids are held by another kernel (EBUSY).
 */
function mapOfMaps(busy: readonly number[] = []) {
  const arena = new Arena();
  const log: string[] = [];
  const inner: Record<number, BpfMap> = {
    7: createMap({ map_type: MapType.ARRAY, key_size: 4, value_size: 8, max_entries: 4, map_flags: 0 }, arena),
    8: createMap({ map_type: MapType.HASH, key_size: 4, value_size: 8, max_entries: 4, map_flags: 0 }, arena),
  };
  const maps = {
    acquire: (id: number) => (log.push(`acquire ${id}`), inner[id]),
    release: (id: number) => void log.push(`release ${id}`),
  };
  const holds: InnerMapHolds = {
    hold: (id) => {
      log.push(`hold ${id}`);
      if (busy.includes(id)) return Promise.reject(new BpfError('EBUSY', `update: inner map ${id} is in use by another kernel`));
      if (!inner[id]) return Promise.reject(new BpfError('EBADF', `update: no map with id ${id}`));
      return Promise.resolve(() => void log.push(`drop ${id}`));
    },
    checkAccess: (id, who, action) => checkMapAccess(who, new Set(['NETOPS']), id, action),
  };
  const outer = createMap(
    { map_type: MapType.ARRAY_OF_MAPS, key_size: 4, value_size: 4, max_entries: 4, map_flags: 0, inner_map: { map_type: MapType.ARRAY, key_size: 4, value_size: 8, max_entries: 4, map_flags: 0 } },
    arena,
    1,
    { maps },
  );
  const inbox = new NatsMapInbox(() => undefined);
  inbox.allow({ owner: 'NETOPS', accounts: ['NETOPS', 'TRACER'] });
  inbox.serve({ id: 5, map: outer, frozen: false }, () => (log.push('checkpoint'), Promise.resolve()), holds);
  return { inbox, log };
}

const slot = (index: number, id: number) => ({ key: toBase64(Uint8Array.of(index, 0, 0, 0)), value: toBase64(Uint8Array.of(id, 0, 0, 0)), flags: 0 });

describe('leased map inbox - maps of maps', () => {
  it('map inbox - an update of a map of maps holds the inner map it names before the update and drops the hold after the reply', async () => {
    const { inbox, log } = mapOfMaps();
    expect(await answersOf(inbox, 'update_elem', slot(0, 7), 'NETOPS')).toEqual(['{}']);
    expect(log).toEqual(['hold 7', 'acquire 7', 'checkpoint', 'drop 7']);
    expect(await answersOf(inbox, 'lookup_elem', { key: slot(0, 7).key }, 'NETOPS')).toEqual([JSON.stringify({ value: slot(0, 7).value })]);
  });

  it('map inbox - a map that does not match the template is EINVAL, its hold dropped; an id naming no map is EBADF with CAP_SYS_ADMIN and EPERM without; EBUSY passes through', async () => {
    const { inbox, log } = mapOfMaps([9]);
    const mismatch = await answersOf(inbox, 'update_elem', slot(0, 8), 'NETOPS');
    expect(mismatch[0]).toMatch(/^22\{"errno":22,"code":"EINVAL","message":"update: map 8 \(type 1, key 4, value 8, max_entries 4, flags 0x0\) does not match the inner map template/);
    expect(log).toEqual(['hold 8', 'acquire 8', 'release 8', 'drop 8']);
    expect((await answersOf(inbox, 'update_elem', slot(0, 99), 'ADMIN'))[0]).toMatch(/^9\{"errno":9,"code":"EBADF","message":"update: no map with id 99"/);
    expect((await answersOf(inbox, 'update_elem', slot(0, 99), 'NETOPS'))[0]).toMatch(
      /^1\{"errno":1,"code":"EPERM","message":"map update_elem \(inner map\): map 99 was neither created nor opened \(obj_get\) by NETOPS\/netops; CAP_SYS_ADMIN required"/,
    );
    expect((await answersOf(inbox, 'update_elem', slot(0, 9), 'NETOPS'))[0]).toMatch(/^16\{"errno":16,"code":"EBUSY","message":"update: inner map 9 is in use by another kernel"/);
  });

  it("map inbox - the map's own owner check comes before any inner map is held; an inner map the caller may not name is EPERM", async () => {
    const { inbox, log } = mapOfMaps();
    expect((await answersOf(inbox, 'update_elem', slot(0, 7), 'INTRUDER'))[0]).toMatch(/^1\{"errno":1,"code":"EPERM","message":"map update_elem: map 5 was neither/);
    expect(log).toEqual([]);
    expect((await answersOf(inbox, 'update_elem', slot(0, 7), 'TRACER'))[0]).toMatch(/^1\{"errno":1,"code":"EPERM","message":"map update_elem \(inner map\): map 7 was neither created nor opened \(obj_get\) by TRACER\/tracer/);
    expect(log).toEqual(['hold 7', 'drop 7']);
  });

  it('map inbox - update_batch holds every inner map its values name, each once', async () => {
    const { inbox, log } = mapOfMaps();
    const batch = { keys: [slot(0, 7).key, slot(1, 7).key], values: [slot(0, 7).value, slot(1, 7).value] };
    expect(await answersOf(inbox, 'update_batch', batch, 'NETOPS')).toEqual([JSON.stringify({ count: 2 })]);
    expect(log).toEqual(['hold 7', 'acquire 7', 'acquire 7', 'checkpoint', 'drop 7']);
  });
});
