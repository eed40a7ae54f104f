import { type NatsConnection, connect, headers } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { SESSION_HEADER, SimSubjects, Subjects, asm, encode } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient, BpfSyscallError } from '../src/client/index.js';
import { loadCollection } from '../src/loader/index.js';
import { readObject } from '../src/object/index.js';
import { objectBytes } from './objects/fixtures.js';
import { type ServiceProcess, kernelSimBuilt, startKernelSim, startMapsStore } from './support/services.js';
import { serveAcceptingVerifier } from './support/stand-in-verifier.js';

/**
 * Client sessions (DESIGN.md §2) over a real NATS server, with the maps-store and the kernel-sim
 * as their own processes (a stand-in verifier accepts): what a session's client creates is closed
 * when the client vanishes (after the TTL) or closes it (at once), except what a pin or another
 * session's link holds.
 */
const XDP_FLAGS_SKB_MODE = 2;
const HASH = { map_type: 'hash', key_size: 4, value_size: 4, max_entries: 8 } as const;

describe.skipIf(!kernelSimBuilt())('client sessions with the maps-store and the kernel-sim (skipped when packages/kernel-sim/dist/main.js is missing)', () => {
  let nats: NatsTestServer;
  let kernelSim: ServiceProcess;
  let mapsStore: ServiceProcess;
  let nc: NatsConnection;
  /** A client without a session: looks at objects and creates the world. */
  let observer: BpfClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    [kernelSim, mapsStore] = await Promise.all([startKernelSim(nats.url), startMapsStore(nats.url)]);
    nc = await connect({ servers: nats.url, noAsyncTraces: true });
    await serveAcceptingVerifier(nc);
    observer = await BpfClient.connect({ servers: nats.url });
  }, 60_000);

  afterAll(async () => {
    await observer?.close();
    await nc?.close();
    await Promise.all([kernelSim?.stop(), mapsStore?.stop()]);
    await nats?.stop();
  });

  const errnoOf = async (run: () => Promise<unknown>): Promise<string | undefined> => {
    try {
      await run();
      return undefined;
    } catch (e) {
      return e instanceof BpfSyscallError ? e.code : String(e);
    }
  };
  /** Whether the object still exists, as OBJ_GET_INFO_BY_FD of an admin sees it. */
  const exists = async (ref: { map_id: number } | { prog_id: number } | { link_id: number }): Promise<boolean> => {
    const code = await errnoOf(() => observer.bpf('OBJ_GET_INFO_BY_FD', ref));
    if (code !== undefined && code !== 'ENOENT') throw new Error(`info of ${JSON.stringify(ref)}: ${code}`);
    return code === undefined;
  };
  /** Polls `check` until it holds or `ms` pass; the last answer. */
  const eventually = async (check: () => Promise<boolean>, ms = 30_000): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return check();
  };
  const loadXdp = async (client: BpfClient, name: string): Promise<number> =>
    Number((await client.bpf('PROG_LOAD', { prog_type: 'xdp', insns: encode(asm`r0 = 2\nexit`), license: 'GPL', prog_name: name })).prog_id);
  const linkXdp = async (client: BpfClient, prog: number, ifindex: number): Promise<number> =>
    Number((await client.bpf('LINK_CREATE', { prog_id: prog, attach_type: 'xdp', target_ifindex: ifindex, flags: XDP_FLAGS_SKB_MODE })).link_id);
  const device = async (name: string): Promise<number> => {
    const reply = await nc.request(SimSubjects.devCreate, JSON.stringify({ name }), { timeout: 10_000 });
    // dev.create answers with the devices it made.
    const made = reply.json<{ devices?: { name: string; ifindex: number }[] }>().devices?.find((d) => d.name === name);
    if (!made) throw new Error(`sim dev create ${name}: ${reply.string()}`);
    return made.ifindex;
  };

  it('a vanished client: after the TTL its maps, programs and links are closed; its pinned map and the program another session links live on', async () => {
    const [dev0, dev1] = [await device('sess0'), await device('sess1')];
    const vanishing = await BpfClient.connect({ servers: nats.url, session: { ttlMs: 600 } });
    const staying = await BpfClient.connect({ servers: nats.url, session: { ttlMs: 600 } });
    try {
      const map = await vanishing.mapCreate(HASH);
      const pinned = await vanishing.mapCreate(HASH);
      await vanishing.objPin('/sys/fs/bpf/sessions/pinned', { map_id: pinned });
      const prog = await loadXdp(vanishing, 'own');
      const link = await linkXdp(vanishing, prog, dev0);
      const linked = await loadXdp(vanishing, 'linked');
      const othersLink = await linkXdp(staying, linked, dev1);

      // Gone without a word: no session close, no more keep-alives.
      await vanishing.nc.close();
      expect(await eventually(async () => !(await exists({ map_id: map })) && !(await exists({ prog_id: prog })) && !(await exists({ link_id: link })))).toBe(true);
      // The pin holds its map; the other session's link holds its program and is kept alive by its keep-alives.
      expect(await exists({ map_id: pinned })).toBe(true);
      expect(await exists({ prog_id: linked })).toBe(true);
      expect(await observer.bpf('OBJ_GET_INFO_BY_FD', { link_id: othersLink })).toMatchObject({ prog_id: linked, detached: false });
      expect(staying.sessionId).toMatch(/^[0-9a-f]{32}$/);

      // Closing the other session frees its link, and with it the program nothing holds now.
      await staying.close();
      expect(await exists({ link_id: othersLink })).toBe(false);
      expect(await exists({ prog_id: linked })).toBe(false);
      await observer.objUnpin('/sys/fs/bpf/sessions/pinned');
      expect(await exists({ map_id: pinned })).toBe(false);
    } finally {
      await staying.close();
    }
  }, 60_000);

  it('client.close() closes the session: its objects are gone when close returns; objects made without a session stay', async () => {
    const client = await BpfClient.connect({ servers: nats.url, session: true });
    const map = await client.mapCreate(HASH);
    const prog = await loadXdp(client, 'closed');
    const closedByHand = await client.mapCreate(HASH);
    // Closed by hand first: the session's end finds its handle closed already and goes on.
    expect((await nc.request(Subjects.map(closedByHand, 'close'), '{}', { timeout: 10_000 })).headers).toBeUndefined();
    const plain = await observer.mapCreate(HASH);
    await client.close();
    expect(await exists({ map_id: map })).toBe(false);
    expect(await exists({ prog_id: prog })).toBe(false);
    expect(await exists({ map_id: plain })).toBe(true);
  }, 30_000);

  it("loadCollection under a session: the object's maps and programs go with the client, without Collection.close()", async () => {
    const client = await BpfClient.connect({ servers: nats.url, session: true });
    const collection = await loadCollection(readObject(objectBytes('xdp_parser'), { path: 'xdp_parser.o' }), client);
    const maps = [...collection.maps.values()].map((m) => m.id);
    const progs = [...collection.programs.values()].map((p) => p.id);
    expect(maps.length).toBeGreaterThan(0);
    expect(progs.length).toBeGreaterThan(0);
    await client.close();
    for (const id of progs) expect(await exists({ prog_id: id })).toBe(false);
    // A map the programs used was leased to the kernel: it is freed once the lease comes home.
    for (const id of maps) expect(await eventually(async () => !(await exists({ map_id: id })))).toBe(true);
  }, 30_000);

  it('a request naming a session that is not open is EBADF and creates nothing; a malformed one EINVAL', async () => {
    const client = await BpfClient.connect({ servers: nats.url, session: true });
    const id = client.sessionId!;
    await client.close();
    const raw = async (subject: string, body: unknown, session: string): Promise<string | undefined> => {
      const h = headers();
      h.set(SESSION_HEADER, session);
      const reply = await nc.request(subject, JSON.stringify(body), { timeout: 10_000, headers: h });
      return reply.headers?.get('Nats-Service-Error-Code') ? (reply.json<{ code: string }>()).code : undefined;
    };
    const maps = async (): Promise<number> => {
      const ids: number[] = [];
      for await (const id of observer.ids('map')) ids.push(id);
      return ids.length;
    };
    const before = await maps();
    expect(await raw(Subjects.mapCreate, HASH, id)).toBe('EBADF');
    expect(await raw(Subjects.progLoad, { prog_type: 'xdp', insns: Buffer.from(encode(asm`r0 = 2\nexit`)).toString('base64'), license: 'GPL' }, id)).toBe('EBADF');
    expect(await raw(Subjects.session(id, 'keepalive'), {}, id)).toBe('EBADF');
    expect(await raw(Subjects.mapCreate, HASH, 'not-a-session')).toBe('EINVAL');
    expect(await maps()).toBe(before);
  }, 30_000);
});
