import { connect } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient } from '../src/client/index.js';
import { LoadError, loadCollection } from '../src/loader/index.js';
import { readObject } from '../src/object/index.js';
import { objectBytes } from './objects/fixtures.js';
import { type ServiceProcess, kernelSimBuilt, startKernelSim, startMapsStore } from './support/services.js';
import { serveAcceptingVerifier } from './support/stand-in-verifier.js';

/**
 * loadCollection over a real NATS server: maps in the maps-store (its own process) and, when it
 * is built, programs in the kernel-sim (its own process too).
 */

let nats: NatsTestServer;
let mapsStore: ServiceProcess;
let client: BpfClient;

beforeAll(async () => {
  nats = await startNatsServer();
  mapsStore = await startMapsStore(nats.url);
  // A short retry: the program subjects may have nobody behind them here.
  client = await BpfClient.connect({ servers: nats.url, retryMs: 200 });
}, 30_000);

afterAll(async () => {
  await client?.close();
  await mapsStore?.stop();
  await nats?.stop();
});

describe('loadCollection with the maps-store and no kernel-sim', () => {
  it('creates and fills the maps, then fails naming the first program, with ECONNREFUSED, and takes the maps back', async () => {
    const spec = readObject(objectBytes('xdp_parser'), { path: 'xdp_parser.o' });
    const before = await ids(client);
    const e = await loadCollection(spec, client).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(e).toBeInstanceOf(LoadError);
    const error = e as LoadError;
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toMatch(/^load program 'xdp_parse': bpf\.v1\.prog_load: no service answers/);
    // The maps it made were taken back (bpf.v1.map.<id>.close): none is left in the maps-store.
    expect(error.unreleased).toEqual([]);
    expect((await ids(client)).filter((id) => !before.includes(id))).toEqual([]);
  });

  it('a failed load leaves no map behind in the maps-store', async () => {
    const spec = readObject(objectBytes('socket_filter'), { path: 'socket_filter.o' });
    const before = await ids(client);
    const error = (await loadCollection(spec, client).catch((e: unknown) => e)) as LoadError;
    expect(error.unreleased).toEqual([]);
    expect(await ids(client)).toEqual(before);
  });

  it('pins a map pinned by name only once everything loaded, and reuses it from its pin next time', async () => {
    const spec = readObject(objectBytes('map_in_map'), { path: 'map_in_map.o' });
    const onlyPinned = { ...spec, maps: spec.maps.filter((m) => m.name === 'pinned_sessions'), programs: [] };
    const first = await loadCollection(onlyPinned, client, { pinRoot: '/sys/fs/bpf/loader_nats' });
    const pinned = first.maps.get('pinned_sessions')!;
    expect(await client.objGet('/sys/fs/bpf/loader_nats/pinned_sessions')).toEqual({ map_id: pinned.id });
    const second = await loadCollection(onlyPinned, client, { pinRoot: '/sys/fs/bpf/loader_nats' });
    expect(second.maps.get('pinned_sessions')).toMatchObject({ id: pinned.id, reused: true });
    const changed = { ...onlyPinned, maps: onlyPinned.maps.map((m) => ({ ...m, maxEntries: 10 })) };
    await expect(loadCollection(changed, client, { pinRoot: '/sys/fs/bpf/loader_nats' })).rejects.toThrow(
      `load map 'pinned_sessions': pinned map is incompatible: /sys/fs/bpf/loader_nats/pinned_sessions (map ${pinned.id}) has max_entries 1000, expected 10`,
    );
  });
});

describe.skipIf(!kernelSimBuilt())('loadCollection with the kernel-sim (skipped when packages/kernel-sim/dist/main.js is missing: build @bpfhive/kernel-sim)', () => {
  let kernelSim: ServiceProcess;
  let stopVerifier: () => Promise<void>;

  beforeAll(async () => {
    kernelSim = await startKernelSim(nats.url);
    // The verifier service is not built yet; this stand-in accepts every program (test only).
    const nc = await connect({ servers: nats.url });
    const sub = await serveAcceptingVerifier(nc);
    stopVerifier = async () => {
      sub.unsubscribe();
      await nc.close();
    };
  }, 30_000);

  afterAll(async () => {
    await stopVerifier?.();
    await kernelSim?.stop();
  });

  it('loads a program without maps, runs it, reads its info and closes it', async () => {
    const spec = readObject(objectBytes('map_in_map'), { path: 'map_in_map.o' });
    const collection = await loadCollection({ ...spec, maps: [], programs: spec.programs.filter((p) => p.name === 'tail_b') }, client);
    const program = collection.programs.get('tail_b')!;
    const run = await client.bpf('PROG_TEST_RUN', { prog_id: program.id, data_in: new Uint8Array(64) });
    expect(run.retval).toBe(1); // XDP_DROP
    const info = await client.bpf('OBJ_GET_INFO_BY_FD', { prog_id: program.id });
    expect(info).toMatchObject({ id: program.id, type_name: 'xdp', name: 'tail_b', gpl_compatible: true });
    await collection.close();
    await expect(client.bpf('OBJ_GET_INFO_BY_FD', { prog_id: program.id })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a map-in-map object loads through the services: the kernel leases the outer map with its inner maps, a run through the outer map writes the inner map user space reads, an update while leased swaps it', async () => {
    const spec = readObject(objectBytes('map_in_map'), { path: 'map_in_map.o' });
    const collection = await loadCollection(spec, client);
    try {
      const id = (name: string): number => collection.maps.get(name)!.id;
      const [outer, innerA, innerB] = [id('outer_array'), id('inner_a'), id('inner_b')];
      // The maps-store handed the outer map and the inner map its slot 0 names to the kernel; inner_b (slot 2) came along too.
      for (const m of [outer, innerA, innerB]) expect(mapsStore.output()).toMatch(new RegExp(`map ${m} leased to kernel-sim-`));
      const dispatch = collection.programs.get('dispatch')!.id;
      await client.bpf('PROG_TEST_RUN', { prog_id: dispatch, data_in: new Uint8Array(64) });
      await client.bpf('PROG_TEST_RUN', { prog_id: dispatch, data_in: new Uint8Array(64) });
      // inner_a[0] counts the runs; the kernel answers the lookup on the inner map's own id.
      expect(await client.mapLookup(innerA, u32(0))).toEqual(u64(2n));
      // A syscall lookup of the outer map gives the inner map's id.
      expect(await client.mapLookup(outer, u32(0))).toEqual(u32(innerA));

      // User space puts inner_b in slot 0 while the kernel holds the map: the program now counts in inner_b.
      await client.mapUpdate(outer, u32(0), u32(innerB));
      expect(await client.mapLookup(outer, u32(0))).toEqual(u32(innerB));
      await client.bpf('PROG_TEST_RUN', { prog_id: dispatch, data_in: new Uint8Array(64) });
      expect(await client.mapLookup(innerB, u32(0))).toEqual(u64(1n));
      expect(await client.mapLookup(innerA, u32(0))).toEqual(u64(2n));
      // A map that is not like the template is EINVAL; an id naming no map is EBADF; the slot keeps inner_b.
      await expect(client.mapUpdate(outer, u32(1), u32(id('seen_ips')))).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(client.mapUpdate(outer, u32(1), u32(999_999))).rejects.toMatchObject({ code: 'EBADF', message: expect.stringContaining('no map with id 999999') });
      expect(await client.mapLookup(outer, u32(0))).toEqual(u32(innerB));
    } finally {
      await collection.close();
    }
  });

  it('when the program goes, the outer map and its inner maps go home with what the programs wrote', async () => {
    const spec = readObject(objectBytes('map_in_map'), { path: 'map_in_map.o' });
    const collection = await loadCollection(spec, client);
    const id = (name: string): number => collection.maps.get(name)!.id;
    const [outer, innerA] = [id('outer_array'), id('inner_a')];
    await client.bpf('PROG_TEST_RUN', { prog_id: collection.programs.get('dispatch')!.id, data_in: new Uint8Array(64) });
    // Keep the maps past the collection's close: pin them.
    await client.objPin('/sys/fs/bpf/loader_nats/outer_array', { map_id: outer });
    await client.objPin('/sys/fs/bpf/loader_nats/inner_a', { map_id: innerA });
    await collection.close();
    await until(() => new RegExp(`map ${innerA} released by kernel-sim-`).test(mapsStore.output()));
    expect(mapsStore.output()).toMatch(new RegExp(`map ${outer} released by kernel-sim-`));
    // Served by the maps-store again, with the kernel's contents.
    expect(await client.mapLookup(outer, u32(0))).toEqual(u32(innerA));
    expect(await client.mapLookup(innerA, u32(0))).toEqual(u64(1n));
  });
});

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const u64 = (n: bigint): Uint8Array => new Uint8Array(new BigUint64Array([n]).buffer);

/** Resolves once `done()` holds, checking every 20 ms (what a service does in the background shows in its output). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Every map id the maps-store has. */
async function ids(c: BpfClient): Promise<number[]> {
  const out: number[] = [];
  for await (const id of c.ids('map')) out.push(id);
  return out;
}
