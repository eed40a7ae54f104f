import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * clients/go, a second-language client that knows only the wire protocol and the JSON Schemas,
 * built offline with Debian's Go and nats.go, run against a real NATS server and the maps-store
 * service. Without Go it is skipped on a workstation, never in CI (.ci/run installs Go).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLIENT_DIR = join(ROOT, 'clients/go');
const CLIENT = join(CLIENT_DIR, 'bin/bpfhive-go-client');
const haveGo = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;

/** maps-store must be built; turbo does not build it before the loader's tests, so build it here when missing. */
function ensureBuilt(service: string): void {
  if (existsSync(join(ROOT, 'packages', service, 'dist/main.js'))) return;
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'packages', service, 'tsconfig.build.json')], { stdio: 'inherit' });
}

/** Starts the maps-store service and resolves once it says it serves. */
function startMapsStore(natsUrl: string, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'packages/maps-store/dist/main.js')], {
    env: { ...process.env, NATS_URL: natsUrl, MAPS_STORE_DATA: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`maps-store did not start within 30 s:\n${log}`)), 30_000);
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (!/maps-store: serving/.test(log)) return;
      clearTimeout(timer);
      resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`maps-store exited with code ${code}:\n${log}`)));
  });
}

function runClient(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(CLIENT, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Summary {
  nats_url: string;
  ok: boolean;
  steps: { step: string; ok: boolean; error?: string; result?: Record<string, unknown> }[];
}

describe.skipIf(!haveGo && !process.env.CI)('the Go client (clients/go)', () => {
  let nats: NatsTestServer | undefined;
  let mapsStore: ChildProcess | undefined;
  const data = mkdtempSync(join(tmpdir(), 'bpfhive-go-client-'));

  beforeAll(async () => {
    execFileSync('sh', [join(CLIENT_DIR, 'build.sh')], { stdio: 'inherit', timeout: 240_000 });
    ensureBuilt('maps-store');
    nats = await startNatsServer();
    mapsStore = await startMapsStore(nats.url, data);
  }, 300_000);

  afterAll(async () => {
    if (mapsStore && mapsStore.exitCode === null) {
      const exited = new Promise((resolve) => mapsStore!.once('exit', resolve));
      mapsStore.kill('SIGTERM');
      await exited;
    }
    await nats?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  it('go client - creates a hash map, writes and reads an element, reads its info, and gets ENOENT for a missing key', () => {
    const run = runClient(['-nats', nats!.url]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.ok).toBe(true);
    expect(summary.nats_url).toBe(nats!.url);
    expect(summary.steps.map((s) => [s.step, s.ok])).toEqual([
      ['map_create', true],
      ['update_elem', true],
      ['lookup_elem', true],
      ['info', true],
      ['lookup_missing_key', true],
    ]);
    const [create, update, lookup, info, missing] = summary.steps.map((s) => s.result ?? {});
    const mapId = create!.map_id as number;
    expect(mapId).toBeGreaterThan(0);
    expect(update).toEqual({ key: Buffer.from([1, 0, 0, 0]).toString('base64'), value: Buffer.from([42, 0, 0, 0, 0, 0, 0, 0]).toString('base64') });
    expect(lookup).toEqual({ value: update!.value, value_u64: 42 });
    expect(info!.info).toEqual({
      map_id: mapId,
      map_type: 1,
      type_name: 'hash',
      key_size: 4,
      value_size: 8,
      max_entries: 16,
      map_flags: 0,
      name: 'go_client',
      frozen: false,
    });
    expect(missing!.error).toMatchObject({ errno: 2, header_errno: 2, code: 'ENOENT', message: expect.any(String) });
  });

  it('go client - every run gets a map of its own', () => {
    const ids = [0, 1].map(() => {
      const summary = JSON.parse(runClient(['-nats', nats!.url]).stdout) as Summary;
      return summary.steps[0]!.result!.map_id;
    });
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('go client - an unknown step group is a usage error (exit 2) naming the known ones', () => {
    const run = runClient(['-nats', nats!.url, '-steps', 'maps,nonsense']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown step group "nonsense" \(known: maps, prog\)/);
  });
});

/** The program steps need the kernel-sim, the verifier and the jit: they run once all are built. */
const kernelBuilt = ['kernel-sim', 'verifier', 'jit'].every((svc) => existsSync(join(ROOT, 'packages', svc, 'dist/main.js')));

describe.runIf((haveGo || process.env.CI) && kernelBuilt)('the Go client against the whole system (bpfhive up)', () => {
  let nats: NatsTestServer | undefined;
  let up: ChildProcess | undefined;
  const data = mkdtempSync(join(tmpdir(), 'bpfhive-go-client-up-'));

  beforeAll(async () => {
    execFileSync('sh', [join(CLIENT_DIR, 'build.sh')], { stdio: 'inherit', timeout: 240_000 });
    ensureBuilt('maps-store');
    nats = await startNatsServer();
    const child = spawn(process.execPath, [join(ROOT, 'packages/loader/bin/bpfhive.js'), 'up', '--nats', nats.url, '--data', data, '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    up = child;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`bpfhive up was not ready within 120 s:\n${log}`)), 120_000);
      const onData = (d: Buffer): void => {
        log += d.toString();
        if (!log.includes('bpfhive up: ready')) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`bpfhive up exited with code ${code}:\n${log}`)));
    });
  }, 300_000);

  afterAll(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise((resolve) => up!.once('exit', resolve));
      up.kill('SIGINT');
      await exited;
    }
    await nats?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  it('go client - loads an XDP program and runs it with test_run: XDP_PASS', () => {
    const run = runClient(['-nats', nats!.url, '-steps', 'maps,prog']);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.steps.filter((s) => !s.ok)).toEqual([]);
    expect(summary.steps.map((s) => s.step)).toEqual(['map_create', 'update_elem', 'lookup_elem', 'info', 'lookup_missing_key', 'prog_load', 'test_run']);
    expect(summary.steps.at(-1)!.result!.retval).toBe(2);
    expect(run.status).toBe(0);
  });
});
