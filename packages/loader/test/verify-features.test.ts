import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { SimSubjects } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test-io.js';
import { BpfClient, RingBufReader } from '../src/client/index.js';
import { LoadError, loadCollection } from '../src/loader/index.js';
import { readObject } from '../src/object/index.js';
import { simRequest } from '../src/examples/sim.js';
import { KERNEL_SIM_MAIN, type ServiceProcess, kernelSimBuilt, startMapsStore, startService } from './support/services.js';

/**
 * `bpfhive verify` on the verifier's clang-built object of newer features (packages/verifier/
 * test/objects/global_dynptr_timer.c): a global function verified on its own from its BTF
 * prototype, a ring-buffer dynptr released on every path, and a bpf_timer whose map's BTF places
 * it and whose callback is verified as a timer callback. Variants built from the same source with
 * a defect must be refused with the kernel's message.
 */
const VERIFIER_MAIN = fileURLToPath(new URL('../../verifier/dist/main.js', import.meta.url));
const DIR = fileURLToPath(new URL('../../verifier/test/objects/', import.meta.url));
const OBJECT = join(DIR, 'global_dynptr_timer.o');
const CLANG_MAJOR = Number(/clang version (\d+)/.exec(spawnSync('clang', ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 0);

interface Report {
  name: string;
  verdict: string;
  error: string | null;
  log: string;
}

async function verifyJson(file: string, logLevel = '0'): Promise<Report[]> {
  const io = memoryIo('');
  await runCli(['verify', file, '--json', '--log-level', logLevel], io);
  return JSON.parse(io.out()) as Report[];
}

/** Builds the source with `edit` applied to it; the object's path. */
function buildVariant(edit: (source: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpfhive-features-'));
  const src = join(dir, 'variant.c');
  execFileSync('bash', ['-c', 'cat > "$1"', 'sh', src], { input: edit(readFileSync(join(DIR, 'global_dynptr_timer.c'), 'utf8')) });
  execFileSync('clang', ['-O2', '-g', '-I/usr/include/x86_64-linux-gnu', '-target', 'bpf', '-c', src, '-o', join(dir, 'variant.o')]);
  return join(dir, 'variant.o');
}

describe('bpfhive verify - global functions, dynptrs and timers (clang-built)', () => {
  it('global_dynptr_timer.o: both programs are accepted; the global function is validated once on its own', async () => {
    const reports = await verifyJson(OBJECT, '1');
    expect(reports.map((r) => [r.name, r.verdict, r.error])).toEqual([['record', 'accept', null], ['arm', 'accept', null]]);
    expect(reports[0]!.log).toContain("Func#1 ('checksum') is global and assumed valid.");
    expect(reports[0]!.log).toContain('Validating checksum() func#1...');
    expect(reports[0]!.log).toContain("Func#1 ('checksum') is safe for any args that match its prototype");
  });

  it.skipIf(CLANG_MAJOR !== 14)('build.sh with clang 14 rebuilds the committed object byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'bpfhive-features-build-'));
    execFileSync('bash', [join(DIR, 'build.sh'), out], { stdio: 'pipe' });
    expect(Buffer.compare(readFileSync(join(out, 'global_dynptr_timer.o')), readFileSync(OBJECT))).toBe(0);
  });

  it.skipIf(CLANG_MAJOR === 0)('a global function that reads past its argument is refused while validating it', async () => {
    const file = buildVariant((s) => s.replace('for (int i = 0; i < 16; i++)\n\t\tsum += p->bytes[i];', 'for (int i = 0; i < 17; i++)\n\t\tsum += ((__u8 *)p)[i];'));
    const [record] = await verifyJson(file);
    expect(record).toMatchObject({ name: 'record', verdict: 'reject', error: expect.stringContaining('invalid access to memory, mem_size=16 off=16 size=1') });
  });

  it.skipIf(CLANG_MAJOR === 0)('a ringbuf dynptr not discarded when the reservation failed is a leaked reference', async () => {
    const file = buildVariant((s) => s.replace('if (bpf_ringbuf_reserve_dynptr(&events, sizeof(*e), 0, &dp)) {\n\t\tbpf_ringbuf_discard_dynptr(&dp, 0);', 'if (bpf_ringbuf_reserve_dynptr(&events, sizeof(*e), 0, &dp)) {'));
    const [record] = await verifyJson(file);
    expect(record).toMatchObject({ verdict: 'reject', error: expect.stringMatching(/^Unreleased reference id=\d+ alloc_insn=\d+ \(insn \d+\)$/) });
  });

  it.skipIf(CLANG_MAJOR === 0)('a timer callback returning 1 is refused', async () => {
    const file = buildVariant((s) => s.replace('elem->fired++;\n\treturn 0;', 'elem->fired++;\n\treturn 1;'));
    const [, arm] = await verifyJson(file);
    expect(arm).toMatchObject({ name: 'arm', verdict: 'reject', error: expect.stringContaining('At async callback return the register R0 has smin=1 smax=1 should have been in [0, 0]') });
  });
});

/**
 * The same object loaded as libbpf loads it into the kernel-sim (with the verifier and the
 * maps-store as their own processes): `record` verifies there too, from the func_info and BTF it
 * is loaded with, and runs; `arm` loads and runs because its map is created with the object's BTF
 * (btf_id, btf_key_type_id, btf_value_type_id), which places the bpf_timer; without BTF it is refused.
 */
describe.skipIf(!kernelSimBuilt() || !existsSync(VERIFIER_MAIN))('global function and ringbuf dynptr in the kernel-sim (needs the services built)', () => {
  let nats: NatsTestServer;
  const services: ServiceProcess[] = [];
  let client: BpfClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    const env = { NATS_URL: nats.url };
    services.push(await startMapsStore(nats.url));
    services.push(await startService(VERIFIER_MAIN, env));
    services.push(await startService(KERNEL_SIM_MAIN, { ...env, KERNEL_SIM_JIT: 'local' }));
    client = await BpfClient.connect({ servers: nats.url });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    for (const s of services.reverse()) await s.stop();
    await nats?.stop();
  });

  const object = () => readObject(new Uint8Array(readFileSync(OBJECT)), { path: OBJECT });

  it('record: verified by the kernel-sim, it reserves a dynptr record, fills it through the global checksum() and submits it', async () => {
    const spec = object();
    const only = { ...spec, programs: spec.programs.filter((p) => p.name === 'record'), maps: spec.maps.filter((m) => m.name === 'events') };
    const collection = await loadCollection(only, client, { logLevel: 1 });
    try {
      const events: Uint8Array[] = [];
      const reader = await RingBufReader.open(client, collection.maps.get('events')!.id, (data) => void events.push(data.slice()));
      try {
        const run = await client.bpf('PROG_TEST_RUN', { prog_id: collection.programs.get('record')!.id, data_in: new Uint8Array(64) });
        expect(Number(run.retval)).toBe(120);
        await reader.poll(2_000);
      } finally {
        await reader.close();
      }
      expect(events.map((e) => [...new Uint32Array(e.buffer, e.byteOffset, 2)])).toEqual([[64, 120]]);
    } finally {
      await collection.close();
    }
  });

  it('arm: the map is created with the object\'s BTF, so its bpf_timer is known; the program loads and runs, and its timer fires as virtual time passes', async () => {
    const spec = object();
    const only = { ...spec, programs: spec.programs.filter((p) => p.name === 'arm'), maps: spec.maps.filter((m) => m.name === 'timers') };
    const timers = only.maps[0]!;
    expect(timers.btfValueTypeId).toBeGreaterThan(0);
    const collection = await loadCollection(only, client);
    try {
      const info = await client.mapInfo(collection.maps.get('timers')!.id);
      expect([info.btf_id, info.btf_key_type_id, info.btf_value_type_id]).toEqual([expect.any(Number), timers.btfKeyTypeId, timers.btfValueTypeId]);
      expect(info.btf_id).toBeGreaterThan(1);
      // bpf_timer_init, set_callback and start all succeed (the program ignores their results), and it returns 0.
      const run = await client.bpf('PROG_TEST_RUN', { prog_id: collection.programs.get('arm')!.id, data_in: new Uint8Array(64) });
      expect(Number(run.retval)).toBe(0);
      // The timer fires 1 ms later: on_timer counts in elem->fired (the value's first u64) and does not re-arm.
      const fired = async (): Promise<bigint> => new DataView((await client.mapLookup(collection.maps.get('timers')!.id, new Uint8Array(4))).buffer).getBigUint64(0, true);
      expect(await fired()).toBe(0n);
      await simRequest(client, SimSubjects.timeAdvance, { by: 10_000_000 });
      expect(await fired()).toBe(1n);
    } finally {
      await collection.close();
    }
  });

  it('arm: the same map created without BTF is refused with the kernel\'s message', async () => {
    const spec = object();
    const only = {
      ...spec,
      programs: spec.programs.filter((p) => p.name === 'arm'),
      maps: spec.maps.filter((m) => m.name === 'timers').map((m) => ({ ...m, btfKeyTypeId: 0, btfValueTypeId: 0 })),
    };
    const error = await loadCollection(only, client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadError);
    expect(String((error as Error).message)).toContain("map 'timers' has to have BTF in order to use bpf_timer");
  });
});
