import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Msg, type NatsConnection, type Subscription, connect, headers } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { type LeaseReply, type ReplyableMessage, Subjects, fromBase64, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Arena, type HostedMap, type MapSpec, createMap, decodeImage, encodeImage, loadRecords, mapRecords, serveMapCommand } from '../src/index.js';
import { type MapsStoreProcess, call, ok, startMapsStore } from './maps-store-process.js';

/**
 * Map leases over a real NATS server: this test plays the holder (what a kernel-sim does) with a
 * plain NATS client and the maps-store library, against the maps-store as its own process.
 */
const TTL_MS = 2000;
let nats: NatsTestServer;
let nc: NatsConnection;
let store: MapsStoreProcess;
let dataDir: string;

const u32 = (n: number): string => toBase64(new Uint8Array(new Uint32Array([n]).buffer));
const readU32 = (b64: string): number => new DataView(fromBase64(b64, 'value').buffer).getUint32(0, true);
const start = () => startMapsStore(nats.url, { MAPS_STORE_LEASE_TTL_MS: String(TTL_MS), MAPS_STORE_DATA: dataDir });

/** A lease holder: subscribes to the map's subjects first, takes the lease, then answers its data commands. */
class Holder {
  hosted: HostedMap | undefined;
  epoch = 0;
  answered = 0;
  #sub: Subscription | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(readonly name: string) {}

  async take(id: number): Promise<LeaseReply> {
    this.#sub = nc.subscribe(`bpf.v1.map.${id}.>`, {
      callback: (err, msg) => {
        const command = msg.subject.split('.')[4] ?? '';
        if (err || !this.hosted || command === 'info') return;
        this.answered++;
        void serveMapCommand(() => this.hosted!, command, replyable(msg));
      },
    });
    await nc.flush();
    const lease = (await ok(nc, Subjects.internalMap(id, 'lease'), { holder: this.name })) as LeaseReply;
    const map = createMap(lease.spec as MapSpec, new Arena({ initialPages: 4 }));
    expect(loadRecords(map, decodeImage(fromBase64(lease.snapshot, 'snapshot')))).toEqual([]);
    this.hosted = { id, map, frozen: lease.spec.frozen };
    this.epoch = lease.epoch;
    // Renew well within the TTL, as a kernel does for as long as it runs.
    this.#heartbeat ??= setInterval(() => void call(nc, Subjects.leaseRenew, { holder: this.name }).catch(() => undefined), lease.ttl_ms / 4);
    return lease;
  }

  snapshot(): string {
    return toBase64(encodeImage(mapRecords(this.hosted!.map)));
  }

  /** Stops answering and renewing (done, or a crashed kernel). */
  vanish(): void {
    clearInterval(this.#heartbeat);
    this.#sub?.unsubscribe();
    this.hosted = undefined;
  }
}

/** A plain NATS message as serveMapCommand answers it: errors with the micro services' error headers. */
function replyable(msg: Msg): ReplyableMessage {
  return {
    data: msg.data,
    subject: msg.subject,
    respond: (data) => msg.respond(data),
    respondError: (code, description, data) => {
      const h = headers();
      h.set('Nats-Service-Error-Code', String(code));
      h.set('Nats-Service-Error', description);
      return msg.respond(data ?? '', { headers: h });
    },
  };
}

/** Requests once and collects every reply that arrives within `windowMs`: who answered, and how many. */
async function replies(subject: string, body: unknown, windowMs = 1500): Promise<Record<string, unknown>[]> {
  const inbox = nc.subscribe(`_INBOX.lease-test.${Math.random().toString(36).slice(2)}`);
  const got: Record<string, unknown>[] = [];
  void (async () => {
    for await (const m of inbox) got.push(JSON.parse(m.string()) as Record<string, unknown>);
  })();
  nc.publish(subject, JSON.stringify(body), { reply: inbox.getSubject() });
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  inbox.unsubscribe();
  return got;
}

/** Asks until someone answers (the maps-store takes a lost map back within a TTL); gives up after `tries` timeouts. */
async function firstAnswer(subject: string, body: unknown, tries = 20): Promise<Record<string, unknown>> {
  for (let i = 1; ; i++) {
    try {
      return await ok(nc, subject, body, 500);
    } catch (e) {
      if (i >= tries) throw e;
    }
  }
}

async function createHash(pin?: string): Promise<number> {
  const { map_id } = (await ok(nc, Subjects.mapCreate, { map_type: 'hash', key_size: 4, value_size: 4, max_entries: 16 })) as { map_id: number };
  await ok(nc, Subjects.map(map_id, 'update_elem'), { key: u32(1), value: u32(10) });
  if (pin) await ok(nc, Subjects.objPin, { pathname: pin, map_id });
  return map_id;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-leases-'));
  nats = await startNatsServer({ jetstream: false });
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  store = await start();
}, 30_000);

afterAll(async () => {
  store?.child.kill('SIGTERM');
  await nc?.close();
  await nats?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('map leases over NATS', () => {
  it('a holder takes a map, answers its data commands alone, checkpoints it and gives it back', async () => {
    const id = await createHash();
    const holder = new Holder('kernel-a');
    const lease = await holder.take(id);
    expect(lease).toMatchObject({ epoch: 1, ttl_ms: TTL_MS, spec: { map_id: id, map_type: 1, key_size: 4, value_size: 4, max_entries: 16, frozen: false } });
    // Who may name the map by id travels with the lease (no accounts configured: an unidentified creator).
    const access = { owner: '(unidentified)', accounts: [] };
    expect(lease).toMatchObject({ access });

    // The holder's copy diverges from the maps-store's: whoever answers shows it.
    holder.hosted!.map.update(new Uint8Array(new Uint32Array([1]).buffer), new Uint8Array(new Uint32Array([11]).buffer), 0);
    const answers = await replies(Subjects.map(id, 'lookup_elem'), { key: u32(1) });
    expect(answers.map((a) => readU32(a.value as string))).toEqual([11]);
    await ok(nc, Subjects.map(id, 'update_elem'), { key: u32(2), value: u32(20) });
    expect(holder.answered).toBe(2);
    // info stays with the maps-store.
    expect(await ok(nc, Subjects.map(id, 'info'), {})).toMatchObject({ map_id: id, type_name: 'hash' });

    expect(await call(nc, Subjects.internalMap(id, 'lease'), { holder: 'kernel-b' })).toMatchObject({ error: '16', body: { code: 'EBUSY' } });
    await ok(nc, Subjects.internalMap(id, 'checkpoint'), { holder: 'kernel-a', epoch: 1, snapshot: holder.snapshot() });
    expect(await ok(nc, Subjects.leaseRenew, { holder: 'kernel-a' })).toEqual({ leases: [{ map_id: id, epoch: 1, access }], ttl_ms: TTL_MS });
    expect(await call(nc, Subjects.internalMap(id, 'release'), { holder: 'kernel-a', epoch: 5, snapshot: holder.snapshot() })).toMatchObject({ error: '116', body: { code: 'ESTALE' } });

    await ok(nc, Subjects.internalMap(id, 'release'), { holder: 'kernel-a', epoch: 1, snapshot: holder.snapshot() });
    holder.vanish();
    expect(readU32((await ok(nc, Subjects.map(id, 'lookup_elem'), { key: u32(1) })).value as string)).toBe(11);
    expect(readU32((await ok(nc, Subjects.map(id, 'lookup_elem'), { key: u32(2) })).value as string)).toBe(20);
    expect(await ok(nc, Subjects.leaseRenew, { holder: 'kernel-a' })).toEqual({ leases: [], ttl_ms: TTL_MS });
  });

  it('a holder that stops renewing loses the map: the maps-store serves the last checkpoint again', async () => {
    const id = await createHash();
    const holder = new Holder('kernel-lost');
    await holder.take(id);
    await ok(nc, Subjects.map(id, 'update_elem'), { key: u32(3), value: u32(30) });
    await ok(nc, Subjects.internalMap(id, 'checkpoint'), { holder: 'kernel-lost', epoch: holder.epoch, snapshot: holder.snapshot() });
    await ok(nc, Subjects.map(id, 'update_elem'), { key: u32(4), value: u32(40) });
    const unsaved = holder.snapshot();
    holder.vanish();
    expect(readU32((await firstAnswer(Subjects.map(id, 'lookup_elem'), { key: u32(3) })).value as string)).toBe(30);
    expect(await call(nc, Subjects.map(id, 'lookup_elem'), { key: u32(4) })).toMatchObject({ error: '2' });
    expect(await call(nc, Subjects.internalMap(id, 'checkpoint'), { holder: 'kernel-lost', epoch: holder.epoch, snapshot: unsaved })).toMatchObject({ error: '116' });
  }, 30_000);

  it('the lease of a pinned map survives a maps-store restart; the holder gives it back afterwards', async () => {
    const id = await createHash('/sys/fs/bpf/leased_counts');
    const holder = new Holder('kernel-durable');
    await holder.take(id);
    await ok(nc, Subjects.map(id, 'update_elem'), { key: u32(5), value: u32(50) });
    await ok(nc, Subjects.internalMap(id, 'checkpoint'), { holder: 'kernel-durable', epoch: holder.epoch, snapshot: holder.snapshot() });

    store.child.kill('SIGKILL');
    await new Promise((resolve) => store.child.once('exit', resolve));
    store = await start();
    expect(store.out()).toMatch(/1 restored/);

    // Still leased after the restart: the maps-store stays silent, the holder answers.
    const answers = await replies(Subjects.map(id, 'lookup_elem'), { key: u32(5) });
    expect(answers.map((a) => readU32(a.value as string))).toEqual([50]);
    expect(await ok(nc, Subjects.leaseRenew, { holder: 'kernel-durable' })).toMatchObject({ leases: [{ map_id: id, epoch: holder.epoch }] });
    await ok(nc, Subjects.internalMap(id, 'release'), { holder: 'kernel-durable', epoch: holder.epoch, snapshot: holder.snapshot() });
    holder.vanish();
    expect(readU32((await ok(nc, Subjects.map(id, 'lookup_elem'), { key: u32(5) })).value as string)).toBe(50);
  }, 30_000);

  it.each([
    ['a lease of a map that does not exist', Subjects.internalMap(9999, 'lease'), { holder: 'k' }, '2'],
    ['a lease without a holder', Subjects.internalMap(1, 'lease'), {}, '22'],
    ['an unknown lease command', 'bpf.v1.internal.map.1.steal', { holder: 'k' }, '22'],
    ['a release with a snapshot that is not a map image', Subjects.internalMap(1, 'release'), { holder: 'k', epoch: 1, snapshot: 'AA==' }, '22'],
  ])('answers %s with an errno', async (_title, subject, body, errno) => {
    expect((await call(nc, subject, body)).error).toBe(errno);
  });
});
