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

  it('a program naming maps-store maps fails naming the program, and the programs loaded before it are closed', async () => {
    const spec = readObject(objectBytes('map_in_map'), { path: 'map_in_map.o' });
    const error = (await loadCollection(spec, client).catch((e: unknown) => e)) as LoadError;
    expect(error).toBeInstanceOf(LoadError);
    // The kernel-sim leases maps from the maps-store, but not maps of maps yet.
    expect(error.message).toMatch(/^load program 'dispatch': map \d+ \(array_of_maps\): maps of maps cannot be leased to a kernel yet$/);
    const programs: number[] = [];
    for await (const id of client.ids('prog')) programs.push(id);
    const names = await Promise.all(programs.map(async (id) => (await client.bpf('OBJ_GET_INFO_BY_FD', { prog_id: id })).name));
    expect(names).not.toContain('tail_a');
  });
});

/** Every map id the maps-store has. */
async function ids(c: BpfClient): Promise<number[]> {
  const out: number[] = [];
  for await (const id of c.ids('map')) out.push(id);
  return out;
}
