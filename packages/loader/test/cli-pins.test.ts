import { join } from 'node:path';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { SimSubjects } from '@bpfhive/uapi';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test-io.js';
import { BpfClient, BpfSyscallError } from '../src/client/index.js';
import { EXAMPLES_DIR } from '../src/examples/index.js';
import { type Collection, loadCollection } from '../src/loader/index.js';
import { readObject } from '../src/object/index.js';
import { objectBytes } from './objects/fixtures.js';
import { type ServiceProcess, kernelSimBuilt, startKernelSim, startMapsStore } from './support/services.js';
import { serveAcceptingVerifier } from './support/stand-in-verifier.js';

/**
 * Pins of programs and links through the CLI, against the kernel-sim and the maps-store as their
 * own processes (a stand-in verifier accepts): `prog pin`, `link pin`, `prog show pinned`,
 * `link show pinned`, a pinned link outliving every handle until its pin is removed, `show -f`
 * (the pin paths of each object) and `prog loadall … autoattach` (links pinned, and firing).
 */
const XDP_FLAGS_SKB_MODE = 2;

describe.skipIf(!kernelSimBuilt())('bpfhive pins with the kernel-sim (skipped when packages/kernel-sim/dist/main.js is missing: build @bpfhive/kernel-sim)', () => {
  let nats: NatsTestServer;
  let kernelSim: ServiceProcess;
  let mapsStore: ServiceProcess;
  let nc: NatsConnection;
  let client: BpfClient;
  let tails: Collection;

  beforeAll(async () => {
    nats = await startNatsServer();
    [kernelSim, mapsStore] = await Promise.all([startKernelSim(nats.url), startMapsStore(nats.url)]);
    nc = await connect({ servers: nats.url });
    await serveAcceptingVerifier(nc);
    client = await BpfClient.connect({ servers: nats.url });
    const spec = readObject(objectBytes('map_in_map'), { path: 'map_in_map.o' });
    tails = await loadCollection({ ...spec, maps: [], programs: spec.programs.filter((p) => p.name.startsWith('tail_')) }, client);
  }, 30_000);

  afterAll(async () => {
    await tails?.close().catch(() => undefined);
    await client?.close();
    await nc?.close();
    await Promise.all([kernelSim?.stop(), mapsStore?.stop()]);
    await nats?.stop();
  });

  async function bpfhive(line: string): Promise<{ status: number; out: string; err: string }> {
    const io = memoryIo();
    const status = await runCli([...line.split(' '), '--nats', nats.url], io);
    return { status, out: io.out(), err: io.err() };
  }

  const errnoOf = async (run: () => Promise<unknown>): Promise<string | undefined> => {
    try {
      await run();
      return undefined;
    } catch (e) {
      return e instanceof BpfSyscallError ? e.code : String(e);
    }
  };

  it('prog pin, then prog show pinned FILE prints the program; a map is not a program, nor a program a link', async () => {
    const id = tails.programs.get('tail_a')!.id;
    expect(await bpfhive(`prog pin id ${id} /sys/fs/bpf/cli_pins/tail_a`)).toEqual({ status: 0, out: '', err: '' });
    expect((await bpfhive('prog show pinned /sys/fs/bpf/cli_pins/tail_a')).out).toMatch(new RegExp(`^${id}: xdp  name tail_a  `));
    expect(await bpfhive('link show pinned /sys/fs/bpf/cli_pins/tail_a')).toMatchObject({ status: 255, err: 'Error: incorrect object type: prog\n' });
    await client.objUnpin('/sys/fs/bpf/cli_pins/tail_a');
    expect(await bpfhive('prog show pinned /sys/fs/bpf/cli_pins/tail_a')).toMatchObject({ status: 255, err: expect.stringMatching(/^Error: bpf obj get \(\/sys\/fs\/bpf\/cli_pins\/tail_a\): No such file or directory/) });
  });

  it('link pin keeps an XDP link whose handles are closed; link show pinned FILE shows it; removing the pin frees link and program', async () => {
    const spec = readObject(objectBytes('map_in_map'), { path: 'map_in_map.o' });
    const own = await loadCollection({ ...spec, maps: [], programs: spec.programs.filter((p) => p.name === 'tail_b') }, client);
    const prog = own.programs.get('tail_b')!.id;
    const { link_id } = (await client.bpf('LINK_CREATE', { prog_id: prog, attach_type: 'xdp', target_ifindex: 1, flags: XDP_FLAGS_SKB_MODE })) as { link_id: number };
    expect(await bpfhive(`link pin id ${link_id} /sys/fs/bpf/cli_pins/lo_xdp`)).toEqual({ status: 0, out: '', err: '' });
    await client.nc.request(`bpf.v1.link.${link_id}.close`, '{}');
    await own.close();

    const shown = await bpfhive('link show pinned /sys/fs/bpf/cli_pins/lo_xdp -j');
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({ id: link_id, type: 'xdp', prog_id: prog, ifindex: 1 });
    expect((await bpfhive(`prog show id ${prog}`)).out).toMatch(new RegExp(`^${prog}: xdp  name tail_b  `));

    await client.objUnpin('/sys/fs/bpf/cli_pins/lo_xdp');
    expect(await errnoOf(() => client.bpf('OBJ_GET_INFO_BY_FD', { link_id }))).toBe('ENOENT');
    expect(await errnoOf(() => client.bpf('OBJ_GET_INFO_BY_FD', { prog_id: prog }))).toBe('ENOENT');
  });
  it('show -f prints the paths each program, map and link is pinned at: plain `pinned PATH` lines, a JSON `pinned` array', async () => {
    const id = tails.programs.get('tail_a')!.id;
    await client.objPin('/sys/fs/bpf/cli_f/one', { prog_id: id });
    await client.objPin('/sys/fs/bpf/cli_f/two', { prog_id: id });
    try {
      expect((await bpfhive(`prog show id ${id} -f`)).out).toContain('\n\tpinned /sys/fs/bpf/cli_f/one\n\tpinned /sys/fs/bpf/cli_f/two');
      expect(JSON.parse((await bpfhive(`-j -f prog show id ${id}`)).out)).toMatchObject({ id, pinned: ['/sys/fs/bpf/cli_f/one', '/sys/fs/bpf/cli_f/two'] });
      expect((await bpfhive(`prog show id ${id}`)).out).not.toContain('pinned');
      expect(await client.objList('/sys/fs/bpf/cli_f/')).toEqual([
        { pathname: '/sys/fs/bpf/cli_f/one', kind: 'prog', id },
        { pathname: '/sys/fs/bpf/cli_f/two', kind: 'prog', id },
      ]);
    } finally {
      await client.objUnpin('/sys/fs/bpf/cli_f/one');
      await client.objUnpin('/sys/fs/bpf/cli_f/two');
    }
  });

  it('prog loadall autoattach links a tracepoint program where its section says and pins the LINK, which fires; show -f lists it', async () => {
    const object = join(EXAMPLES_DIR, 'syscount', 'syscount.bpf.o');
    const loaded = await bpfhive(`prog loadall ${object} /sys/fs/bpf/cli_auto pinmaps /sys/fs/bpf/cli_auto_maps autoattach`);
    expect(loaded).toMatchObject({ status: 0, err: '' });
    const pinned = await client.objGet('/sys/fs/bpf/cli_auto/sys_enter');
    expect(pinned).toHaveProperty('link_id');
    const linkId = (pinned as { link_id: number }).link_id;
    const { map_id: counts } = (await client.objGet('/sys/fs/bpf/cli_auto_maps/counts')) as { map_id: number };
    try {
      const link = JSON.parse((await bpfhive(`link show id ${linkId} -j -f`)).out) as Record<string, unknown>;
      expect(link).toMatchObject({ id: linkId, event_type: 'tracepoint', tracepoint: 'sys_enter', pinned: ['/sys/fs/bpf/cli_auto/sys_enter'] });
      expect((await bpfhive(`map show id ${counts} -f`)).out).toContain('\n\tpinned /sys/fs/bpf/cli_auto_maps/counts');
      // The link is held by its pin alone (the CLI closed its handles); a system call fires it.
      const sim = async (subject: string, body: unknown): Promise<unknown> => (await nc.request(subject, JSON.stringify(body), { timeout: 10_000 })).json();
      await sim(SimSubjects.procSpawn, { pid: 4242, comm: 'autoattach' });
      await sim(SimSubjects.procSyscall, { pid: 4242, syscall: 'read', fd: 99, count: 1 });
      const key = new Uint8Array(4); // syscall number 0: read
      const value = await client.mapLookup(counts, key);
      expect(new DataView(value.buffer, value.byteOffset).getBigUint64(0, true)).toBeGreaterThanOrEqual(1n);
    } finally {
      await client.objUnpin('/sys/fs/bpf/cli_auto/sys_enter');
      for (const pin of await client.objList('/sys/fs/bpf/cli_auto_maps/')) await client.objUnpin(pin.pathname);
    }
    expect(await errnoOf(() => client.bpf('OBJ_GET_INFO_BY_FD', { link_id: linkId }))).toBe('ENOENT');
  });

  it('prog loadall autoattach pins a program libbpf cannot auto-attach (XDP needs a device) instead, as bpftool does', async () => {
    const object = join(EXAMPLES_DIR, 'pktcount', 'pktcount.bpf.o');
    const loaded = await bpfhive(`prog loadall ${object} /sys/fs/bpf/cli_auto_xdp autoattach`);
    expect(loaded.status).toBe(0);
    expect(loaded.err).toMatch(/^Program \w+ does not support autoattach, falling back to pinning\n$/);
    const pins = await client.objList('/sys/fs/bpf/cli_auto_xdp/');
    expect(pins).toEqual([expect.objectContaining({ kind: 'prog' })]);
    for (const pin of pins) await client.objUnpin(pin.pathname);
  });
});
