import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test-io.js';
import { BpfClient } from '../src/client/index.js';
import { type Collection, loadCollection } from '../src/loader/index.js';
import { readObject } from '../src/object/index.js';
import { objectBytes } from './objects/fixtures.js';
import { type ServiceProcess, kernelSimBuilt, startKernelSim } from './support/services.js';
import { serveAcceptingVerifier } from './support/stand-in-verifier.js';

/**
 * `bpfhive prog …` against the kernel-sim itself (its own process, with a stand-in verifier
 * while the verifier service is not built), for programs without maps: the kernel-sim does not
 * lease maps from the maps-store yet.
 */
const BIN = fileURLToPath(new URL('../bin/bpfhive.js', import.meta.url));

describe.skipIf(!kernelSimBuilt())('bpfhive prog with the kernel-sim (skipped when packages/kernel-sim/dist/main.js is missing: build @bpfhive/kernel-sim)', () => {
  let nats: NatsTestServer;
  let kernelSim: ServiceProcess;
  let nc: NatsConnection;
  let client: BpfClient;
  let tails: Collection;

  beforeAll(async () => {
    nats = await startNatsServer();
    kernelSim = await startKernelSim(nats.url);
    nc = await connect({ servers: nats.url });
    await serveAcceptingVerifier(nc);
    client = await BpfClient.connect({ servers: nats.url });
    const spec = readObject(objectBytes('map_in_map'), { path: 'map_in_map.o' });
    tails = await loadCollection({ ...spec, maps: [], programs: spec.programs.filter((p) => p.name.startsWith('tail_')) }, client);
  }, 30_000);

  afterAll(async () => {
    await tails?.close();
    await client?.close();
    await nc?.close();
    await kernelSim?.stop();
    await nats?.stop();
  });

  async function bpfhive(line: string): Promise<{ status: number; out: string; err: string }> {
    const io = memoryIo();
    const status = await runCli([...line.split(' '), '--nats', nats.url], io);
    return { status, out: io.out(), err: io.err() };
  }

  const idOf = (name: string): number => tails.programs.get(name)!.id;

  it('show prints the kernel-sim\'s program info as bpftool prints it', async () => {
    const { status, out } = await bpfhive(`prog show id ${idOf('tail_a')}`);
    expect(status).toBe(0);
    // btf_id: the loader loaded the object's .BTF and the program holds it.
    expect(out).toMatch(new RegExp(`^${idOf('tail_a')}: xdp  name tail_a  tag [0-9a-f]{16}  gpl\\n\\tloaded_at \\S+  uid 0\\n\\txlated 16B  jited \\d+B\\n\\tbtf_id \\d+\\n$`));
  });

  it('run runs the program in the kernel-sim and prints its return value', async () => {
    const data = join(mkdtempSync(join(tmpdir(), 'bpfhive-cli-prog-kernel-')), 'packet.bin');
    writeFileSync(data, new Uint8Array(64));
    const pass = await bpfhive(`prog run id ${idOf('tail_a')} data_in ${data}`);
    expect(pass).toMatchObject({ status: 0, err: '' });
    expect(pass.out).toMatch(/^Return value: 2, duration: \d+ns\n$/);
    // Run statistics are kept only while BPF_ENABLE_STATS is held (kernel.bpf_stats_enabled).
    const statsOff = JSON.parse((await bpfhive(`prog run name tail_b data_in ${data} repeat 5 -j`)).out) as { retval: number };
    expect(statsOff.retval).toBe(1);
    expect((await bpfhive(`prog show name tail_b`)).out.split('\n')[0]).not.toContain('run_cnt');
    const stats = await client.enableStats();
    try {
      const drop = JSON.parse((await bpfhive(`prog run name tail_b data_in ${data} repeat 5 -j`)).out) as { retval: number; duration: number };
      expect(drop.retval).toBe(1);
      expect((await bpfhive(`prog show name tail_b`)).out.split('\n')[0]).toMatch(/ run_time_ns \d+ run_cnt 5$/);
    } finally {
      await client.statsClose(stats);
    }
  });

  it('dump xlated disassembles the loaded instructions and dump jited prints the WAT', async () => {
    const xlated = await bpfhive(`prog dump xlated id ${idOf('tail_a')}`);
    expect(xlated).toMatchObject({ status: 0, err: '' });
    expect(xlated.out).toMatch(/^ {3}0: \(b7\) r0 = \d+\n +1: \(95\) exit\n$/);
    const jited = await bpfhive(`prog dump jited id ${idOf('tail_a')}`);
    expect(jited).toMatchObject({ status: 0, err: '' });
    expect(jited.out).toMatch(/^\(module/);
  });

  it('`bpfhive -j prog list` as a process prints a JSON array, with NATS_URL from the environment', async () => {
    const child = spawn(process.execPath, [BIN, '-j', 'prog', 'list'], { env: { ...process.env, NATS_URL: nats.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const status = await new Promise((resolve) => child.once('close', resolve));
    expect({ status, err }).toEqual({ status: 0, err: '' });
    expect((JSON.parse(out) as { name: string }[]).map((p) => p.name)).toEqual(['tail_a', 'tail_b']);
  });
});
