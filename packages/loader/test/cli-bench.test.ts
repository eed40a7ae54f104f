/**
 * `bpfhive bench load` against the whole system: NATS (testkit) and every service as its own
 * process, the CLI in-process through runCli. A short run must finish without a single failed
 * operation, leave the object counts as it found them, and print the documented JSON shape.
 */
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test-io.js';
import type { LoadReport } from '../src/cli/commands/bench-report.js';
import { KERNEL_SIM_MAIN, type ServiceProcess, startMapsStore, startService } from './support/services.js';

const main = (pkg: string): string => fileURLToPath(new URL(`../../${pkg}/dist/main.js`, import.meta.url));

let nats: NatsTestServer;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  const env = { NATS_URL: nats.url };
  services.push(await startMapsStore(nats.url));
  services.push(await startService(main('verifier'), env));
  services.push(await startService(main('jit'), env));
  services.push(await startService(KERNEL_SIM_MAIN, { ...env, KERNEL_SIM_JIT: 'nats' }));
}, 120_000);

afterAll(async () => {
  for (const s of services.reverse()) await s.stop();
  await nats?.stop();
}, 60_000);

async function bpfhive(line: string): Promise<{ status: number; out: string; err: string }> {
  const io = memoryIo();
  const status = await runCli([...line.split(' '), '--nats', nats.url], io);
  return { status, out: io.out(), err: io.err() };
}

describe('bpfhive bench load', () => {
  it('a 2 s run of every operation: no errors, nothing left behind, the JSON shape', async () => {
    const { status, out, err } = await bpfhive('bench load clients 4 duration 2 sample 500 -j');
    expect(err).toBe('');
    const report = JSON.parse(out) as LoadReport;
    expect(report.errors).toEqual({});
    expect(status).toBe(0);
    expect(report).toMatchObject({ clients: 4, duration_s: 2, mix: ['map', 'prog', 'link'], total: { errors: 0 } });
    expect(report.elapsed_s).toBeGreaterThanOrEqual(2);
    const ops = ['map_create', 'map_update', 'map_lookup', 'map_delete', 'map_close', 'prog_load', 'link_create', 'link_detach', 'link_close', 'prog_close'];
    expect(report.operations.map((o) => o.op)).toEqual(ops);
    for (const o of report.operations) {
      expect(o.ok).toBeGreaterThan(0);
      expect(o.errors).toEqual({});
      expect(o.p50_ms).toBeLessThanOrEqual(o.p90_ms);
      expect(o.p90_ms).toBeLessThanOrEqual(o.p99_ms);
      expect(o.p99_ms).toBeLessThanOrEqual(o.max_ms);
    }
    // Every object made was closed: the counts are back where they were.
    expect(report.objects.after).toEqual(report.objects.before);
    // Each service reports its memory in $SRV.STATS, before and after the run.
    const services = new Set(report.memory.map((m) => m.service));
    expect([...services].sort()).toEqual(['jit', 'kernel-sim', 'maps-store', 'verifier']);
    for (const m of report.memory) expect(m.rss_bytes).toBeGreaterThan(0);
    expect(report.memory.filter((m) => m.service === 'kernel-sim').length).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('plain output: a row per operation, the errors, the objects before and after, RSS per service', async () => {
    const { status, out } = await bpfhive('bench load clients 2 duration 0.5 mix map');
    expect(status).toBe(0);
    expect(out).toMatch(/^bench load: 2 clients, 0\.5 s asked, [\d.]+ s elapsed, mix map$/m);
    expect(out).toMatch(/^map_create +\d+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ {2}-$/m);
    expect(out).not.toMatch(/^prog_load/m);
    expect(out).toMatch(/^errors: none$/m);
    expect(out).toMatch(/^objects after: .*\(none left behind\)$/m);
    expect(out).toMatch(/^maps-store \S+ +[\d.]+/m);
  }, 120_000);

  it('a bad argument is a usage error, exit 255', async () => {
    const { status, err } = await bpfhive('bench load mix everything');
    expect(status).toBe(255);
    expect(err).toMatch(/mix takes map, prog, link, not 'everything'/);
  });
});
