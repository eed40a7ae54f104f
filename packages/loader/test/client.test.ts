import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient, BpfSyscallError, BpfTimeoutError, BpfUnavailableError, MapHandle, u32, u64 } from '../src/client/index.js';
import { type ServiceProcess, startMapsStore } from './support/services.js';

/**
 * The bpf() client against a real NATS server and the maps-store as its own process
 * (test/support/services.ts).
 */

let nats: NatsTestServer;
let client: BpfClient;
let mapsStore: Promise<ServiceProcess> | undefined;
const ensureMapsStore = (): Promise<ServiceProcess> => (mapsStore ??= startMapsStore(nats.url));

const key32 = (n: number): Uint8Array => u32.encode(n);
const value64 = (n: number): Uint8Array => u64.encode(n);

/** The error `run` fails with. */
async function failure(run: () => Promise<unknown>): Promise<BpfSyscallError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof BpfSyscallError) return e;
    throw e;
  }
  throw new Error('expected a BpfSyscallError');
}

beforeAll(async () => {
  nats = await startNatsServer();
  client = await BpfClient.connect({ servers: nats.url });
}, 30_000);

afterAll(async () => {
  await client?.close();
  await (await mapsStore)?.stop();
  await nats?.stop();
});

describe('bpf() over NATS without the service', () => {
  it('retries "no responders" until the maps-store starts, then returns its reply', { timeout: 30_000 }, async () => {
    const retries: number[] = [];
    const patient = await BpfClient.connect({
      servers: nats.url,
      retryMs: 25_000,
      onRetry: (subject, attempt) => {
        expect(subject).toBe('bpf.v1.map_create');
        retries.push(attempt);
        void ensureMapsStore();
      },
    });
    try {
      const id = await patient.mapCreate({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 4, map_name: 'early' });
      expect(retries[0]).toBe(1);
      expect((await patient.mapInfo(id)).name).toBe('early');
    } finally {
      await patient.close();
    }
  });

  it('gives up with ECONNREFUSED naming the subject when nothing serves it', async () => {
    const impatient = await BpfClient.connect({ servers: nats.url, retryMs: 100 });
    try {
      const error = await failure(() => impatient.bpf('LINK_DETACH', { link_id: 4242 }));
      expect(error).toBeInstanceOf(BpfUnavailableError);
      expect(error).toMatchObject({ code: 'ECONNREFUSED', subject: 'bpf.v1.link.4242.detach' });
      expect(error.message).toMatch(/^bpf.v1.link.4242.detach: no service answers/);
    } finally {
      await impatient.close();
    }
  });

  it('times out with ETIMEDOUT naming the subject when a responder never answers', async () => {
    const silent: NatsConnection = await connect({ servers: nats.url });
    const sub = silent.subscribe('bpf.v1.prog.77.test_run');
    await silent.flush();
    const hasty = await BpfClient.connect({ servers: nats.url, timeoutMs: 200 });
    try {
      const error = await failure(() => hasty.bpf('PROG_TEST_RUN', { prog_id: 77, data_in: new Uint8Array(14) }));
      expect(error).toBeInstanceOf(BpfTimeoutError);
      expect(error).toMatchObject({ errno: 110, code: 'ETIMEDOUT', subject: 'bpf.v1.prog.77.test_run' });
    } finally {
      sub.unsubscribe();
      await hasty.close();
      await silent.close();
    }
  });

  it('a request that fails validation is EINVAL and never sent', async () => {
    const error = await failure(() => client.mapCreate({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 1, map_name: 'name_of_16_chars' }));
    expect(error).toMatchObject({ code: 'EINVAL', subject: 'bpf.v1.map_create' });
    expect(error.message).toMatch(/^bpf\(MAP_CREATE\): .*map_name must NOT have more than 15 characters/);
  });
});

describe('bpf() over NATS with the maps-store', () => {
  beforeAll(ensureMapsStore, 30_000);

  it('map hash - create, update, lookup, get_next_key, lookup_and_delete, delete', async () => {
    const id = await client.mapCreate({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 16, map_name: 'counters' });
    await client.mapUpdate(id, key32(1), value64(42));
    await client.mapUpdate(id, key32(2), value64(43), 1);
    expect(await client.mapLookup(id, key32(1))).toEqual(value64(42));
    const first = await client.mapGetNextKey(id);
    const second = await client.mapGetNextKey(id, first);
    expect(new Set([u32.decode(first!), u32.decode(second!)])).toEqual(new Set([1, 2]));
    expect(await client.mapGetNextKey(id, second)).toBeUndefined();
    expect(await client.mapLookupAndDelete(id, key32(2))).toEqual(value64(43));
    await client.mapDelete(id, key32(1));
    expect(await client.mapGetNextKey(id)).toBeUndefined();
    expect(await client.mapInfo(id)).toMatchObject({ map_id: id, type_name: 'hash', key_size: 4, value_size: 8, max_entries: 16, name: 'counters', frozen: false });
  });

  it.each([
    ['lookup of an absent key fails with ENOENT', 'ENOENT', (id: number) => client.mapLookup(id, key32(99))],
    ['update with NOEXIST on an existing key fails with EEXIST', 'EEXIST', (id: number) => client.mapUpdate(id, key32(1), value64(1), 1)],
    ['update with EXIST of an absent key fails with ENOENT', 'ENOENT', (id: number) => client.mapUpdate(id, key32(99), value64(1), 2)],
    ['a new key in a full map fails with E2BIG', 'E2BIG', (id: number) => client.mapUpdate(id, key32(3), value64(1))],
    ['a key of the wrong size fails with EINVAL', 'EINVAL', (id: number) => client.mapLookup(id, Uint8Array.of(1, 0))],
    ['delete of an absent key fails with ENOENT', 'ENOENT', (id: number) => client.mapDelete(id, key32(99))],
  ])('map hash - %s', async (_title, code, run) => {
    const id = await client.mapCreate({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 2 });
    await client.mapUpdate(id, key32(1), value64(1));
    await client.mapUpdate(id, key32(2), value64(2));
    const error = await failure(() => run(id));
    expect(error.code).toBe(code);
    expect(error.subject).toMatch(new RegExp(`^bpf\\.v1\\.map\\.${id}\\.`));
  });

  it('an unknown map id is ENOENT, for info and for lookups', async () => {
    expect(await failure(() => client.mapInfo(99999))).toMatchObject({ code: 'ENOENT', errno: 2, message: 'map 99999: no such map' });
    expect((await failure(() => client.mapLookup(99999, key32(0)))).code).toBe('ENOENT');
  });

  it('pins a map, gets it back by its path, and a MapHandle reads and writes it through codecs', async () => {
    const id = await client.mapCreate({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 4, map_name: 'pinned_arr' });
    await client.objPin('/sys/fs/bpf/client_test_arr', { map_id: id });
    expect(await client.objGet('/sys/fs/bpf/client_test_arr')).toEqual({ map_id: id });
    expect((await failure(() => client.objPin('/sys/fs/bpf/client_test_arr', { map_id: id }))).code).toBe('EEXIST');
    expect((await failure(() => client.objGet('/sys/fs/bpf/nothing_here'))).code).toBe('ENOENT');

    const handle = await MapHandle.open(client, { pinned: '/sys/fs/bpf/client_test_arr' }, u32, u64);
    expect(handle.id).toBe(id);
    await handle.update(2, 7n);
    expect(await handle.lookup(2)).toBe(7n);
    expect(await handle.lookup(9)).toBeUndefined(); // beyond max_entries: ENOENT
    const entries = [];
    for await (const entry of handle.entries()) entries.push(entry);
    expect(entries).toEqual([
      [0, 0n],
      [1, 0n],
      [2, 7n],
      [3, 0n],
    ]);
    await expect(MapHandle.open(client, id, u64, u64)).rejects.toThrow(/the key codec is 8 bytes, the map's key_size is 4/);
  });

  it('batch updates, pages of batch lookups, batch deletes', async () => {
    const id = await client.mapCreate({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 600 });
    const keys = Array.from({ length: 500 }, (_, i) => key32(i));
    expect(await client.mapUpdateBatch(id, keys, keys.map((_, i) => value64(i * 2)))).toBe(500);
    const seen = new Map<number, bigint>();
    let inBatch: Uint8Array | undefined;
    for (;;) {
      const page = await client.mapLookupBatch(id, 128, inBatch);
      page.keys.forEach((k, i) => seen.set(u32.decode(k), u64.decode(page.values[i]!)));
      if (page.done) break;
      inBatch = page.outBatch;
    }
    expect(seen.size).toBe(500);
    expect(seen.get(250)).toBe(500n);
    expect(await client.mapDeleteBatch(id, keys.slice(0, 100))).toBe(100);
    expect((await failure(() => client.mapLookup(id, key32(5)))).code).toBe('ENOENT');
  });

  it('a frozen map reads but refuses writes with EPERM, and says it is frozen', async () => {
    const id = await client.mapCreate({ map_type: 'array', key_size: 4, value_size: 4, max_entries: 1 });
    await client.mapFreeze(id);
    expect((await client.mapInfo(id)).frozen).toBe(true);
    expect(await client.mapLookup(id, key32(0))).toEqual(new Uint8Array(4));
    expect((await failure(() => client.mapUpdate(id, key32(0), key32(1)))).code).toBe('EPERM');
    expect((await failure(() => client.mapFreeze(id))).code).toBe('EBUSY');
  });

  it('lists map ids in order with nextId and ids()', async () => {
    const a = await client.mapCreate({ map_type: 'array', key_size: 4, value_size: 4, max_entries: 1 });
    const b = await client.mapCreate({ map_type: 'array', key_size: 4, value_size: 4, max_entries: 1 });
    expect(await client.nextId('map', a)).toBe(b);
    expect(await client.nextId('map', b)).toBeUndefined();
    const ids: number[] = [];
    for await (const id of client.ids('map')) ids.push(id);
    expect(ids.slice(-2)).toEqual([a, b]);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
  });

  it('the generic bpf() call takes a command number and wire-shaped attributes', async () => {
    const { map_id } = (await client.bpf(0, { map_type: 2, key_size: 4, value_size: 4, max_entries: 2 })) as { map_id: number };
    await client.bpf('BPF_MAP_UPDATE_ELEM', { map_id, key: 'AQAAAA==', value: 'KgAAAA==', flags: 0 });
    expect(await client.bpf('map_lookup_elem', { map_id, key: key32(1) })).toEqual({ value: 'KgAAAA==' });
  });
});
