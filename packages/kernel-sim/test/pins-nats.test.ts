import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { Service } from '@nats-io/services';
import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { SimSubjects, Subjects, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCompiler } from '../src/core/compile/in-process.js';
import { Kernel } from '../src/core/kernel.js';
import { LocalMapProvider } from '../src/core/maps/local-provider.js';
import { startKernelService } from '../src/service/kernel-service.js';
import { NatsVerifier } from '../src/service/nats-verifier.js';
import { buildFrame } from '../src/world/index.js';
import { fakeVerifierService, startProcess } from './support/services.js';
import { wireCalls } from './support/wire.js';

/**
 * Pins of programs and links over a real NATS server: the maps-store as its own process
 * (dist/main.js, the pin namespace, files in a temporary directory), the kernel-sim service in
 * this process. A client pins what it made and goes away; the pinned link keeps firing; the
 * unpin frees it. A restarted maps-store keeps the pins; a restarted kernel's pins are gone.
 */
const MAPS_STORE_MAIN = fileURLToPath(new URL('../../maps-store/dist/main.js', import.meta.url));

let nats: NatsTestServer;
let nc: NatsConnection;
let mapsStore: ChildProcess;
let dataDir: string;
let kernelService: Service;

const { ok, fails, load } = wireCalls(() => nc);

/** Starts a kernel-sim service (a new boot) with eth0. */
async function startKernel(): Promise<void> {
  const arena = new Arena();
  const kernel = new Kernel({ maps: new LocalMapProvider(new MapDirectory(arena, 1)), verifier: new NatsVerifier(nc), compiler: new InProcessCompiler() }, { arena });
  kernelService = await startKernelService(nc, { version: '0.1.0', kernel });
  await nc.flush();
  await ok(SimSubjects.devCreate, { name: 'eth0', addresses: ['10.0.0.1/24'] });
}

const startMapsStore = (): Promise<ChildProcess> => startProcess(MAPS_STORE_MAIN, { NATS_URL: nats.url, MAPS_STORE_DATA: dataDir }, /serving/);

async function stopMapsStore(): Promise<void> {
  const exited = new Promise((resolve) => mapsStore.once('exit', resolve));
  mapsStore.kill('SIGKILL');
  await exited;
}

const frame = buildFrame({ src: '02:00:00:00:01:01', dst: '02:00:00:00:00:02', ip: { src: '10.0.0.9', dst: '10.0.0.1' }, l4: { proto: 'udp', sport: 4000, dport: 53 } });
const eth0 = async (): Promise<{ ifindex: number; stats: Record<string, number> }> => ok(SimSubjects.devInfo, { name: 'eth0' });
const inject = async (): Promise<void> => {
  await ok(SimSubjects.devInject((await eth0()).ifindex), { frames: [toBase64(frame)] });
};

beforeAll(async () => {
  nats = await startNatsServer();
  dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-pins-test-'));
  mapsStore = await startMapsStore();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  fakeVerifierService(nc);
  await startKernel();
}, 60_000);

afterAll(async () => {
  await kernelService?.stop();
  if (mapsStore?.exitCode === null) mapsStore.kill('SIGTERM');
  await nc?.close();
  await nats?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('pins of programs and links over NATS', () => {
  it('a pinned XDP link outlives its client: handles closed and the connection gone, it still drops; the unpin frees link and program', async () => {
    const { ifindex } = await eth0();
    const creator = await connect({ servers: nats.url, noAsyncTraces: true });
    const mine = wireCalls(() => creator);
    const prog = await mine.load('xdp', 'r0 = 1\nexit', { prog_name: 'drop_all' });
    const id = await mine.link({ prog_id: prog, attach_type: 'xdp', target_ifindex: ifindex });
    expect(await mine.ok(Subjects.objPin, { pathname: '/sys/fs/bpf/drop_link', link_id: id })).toEqual({});
    await mine.ok(Subjects.link(id, 'close'), {});
    await mine.ok(Subjects.prog(prog, 'close'), {});
    expect(await mine.fails(Subjects.link(id, 'close'), {})).toBe('EBADF');
    await creator.close();

    const before = (await eth0()).stats.xdp_drop ?? 0;
    await inject();
    expect((await eth0()).stats.xdp_drop).toBe(before + 1);
    expect(await ok(Subjects.objGet, { pathname: '/sys/fs/bpf/drop_link' })).toEqual({ link_id: id });
    expect(await ok(Subjects.link(id, 'info'), {})).toMatchObject({ id, prog_id: prog, detached: false });

    expect(await ok(Subjects.objUnpin, { pathname: '/sys/fs/bpf/drop_link' })).toEqual({});
    expect(await fails(Subjects.link(id, 'info'), {})).toBe('ENOENT');
    expect(await fails(Subjects.prog(prog, 'info'), {})).toBe('ENOENT');
    expect(await fails(Subjects.objGet, { pathname: '/sys/fs/bpf/drop_link' })).toBe('ENOENT');
    await inject();
    expect((await eth0()).stats.xdp_drop).toBe(before + 1);
  });

  it('a pinned program survives its close; one path names one object of one kind (EEXIST); unpin frees it', async () => {
    const prog = await load('xdp', 'r0 = 2\nexit', { prog_name: 'pass' });
    await ok(Subjects.objPin, { pathname: '/sys/fs/bpf/progs/pass', prog_id: prog });
    expect(await fails(Subjects.objPin, { pathname: '/sys/fs/bpf/progs/pass', prog_id: prog })).toBe('EEXIST');
    const map = (await ok<{ map_id: number }>(Subjects.mapCreate, { map_type: 'array', key_size: 4, value_size: 4, max_entries: 1 })).map_id;
    expect(await fails(Subjects.objPin, { pathname: '/sys/fs/bpf/progs/pass', map_id: map })).toBe('EEXIST');
    expect(await fails(Subjects.objPin, { pathname: '/sys/fs/bpf/both', map_id: map, prog_id: prog })).toBe('EINVAL');
    expect(await fails(Subjects.objPin, { pathname: '/sys/fs/bpf/none', prog_id: 9999 })).toBe('ENOENT');
    await ok(Subjects.prog(prog, 'close'), {});
    expect(await ok(Subjects.objGet, { pathname: '/sys/fs/bpf/progs/pass' })).toEqual({ prog_id: prog });
    expect(await ok(Subjects.prog(prog, 'info'), {})).toMatchObject({ id: prog, name: 'pass' });
    await ok(Subjects.objUnpin, { pathname: '/sys/fs/bpf/progs/pass' });
    expect(await fails(Subjects.prog(prog, 'info'), {})).toBe('ENOENT');
    expect(await fails(Subjects.objUnpin, { pathname: '/sys/fs/bpf/progs/pass' })).toBe('ENOENT');
  });

  it('pins of programs survive a restart of the maps-store (stored as map pins are)', async () => {
    const prog = await load('xdp', 'r0 = 2\nexit', { prog_name: 'kept' });
    await ok(Subjects.objPin, { pathname: '/sys/fs/bpf/kept', prog_id: prog });
    await ok(Subjects.prog(prog, 'close'), {});
    await stopMapsStore();
    mapsStore = await startMapsStore();
    expect(await ok(Subjects.objGet, { pathname: '/sys/fs/bpf/kept' })).toEqual({ prog_id: prog });
    await ok(Subjects.objUnpin, { pathname: '/sys/fs/bpf/kept' });
    expect(await fails(Subjects.prog(prog, 'info'), {})).toBe('ENOENT');
  }, 60_000);

  it('after the kernel-sim restarts, pins of its programs are gone: obj_get is ENOENT, and the path may be pinned again', async () => {
    const prog = await load('xdp', 'r0 = 2\nexit');
    await ok(Subjects.objPin, { pathname: '/sys/fs/bpf/old_boot', prog_id: prog });
    await kernelService.stop();
    // No kernel answers: its programs live nowhere else.
    expect(await fails(Subjects.objGet, { pathname: '/sys/fs/bpf/old_boot' })).toBe('ENOENT');
    await startKernel();
    const again = await load('xdp', 'r0 = 2\nexit');
    await ok(Subjects.objPin, { pathname: '/sys/fs/bpf/old_boot', prog_id: again });
    expect(await ok(Subjects.objGet, { pathname: '/sys/fs/bpf/old_boot' })).toEqual({ prog_id: again });
  });
});
