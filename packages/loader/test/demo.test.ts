import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DONE_LINE } from '../src/up/demo.js';
import { parseUpArgs } from '../src/up/options.js';
import { kernelSimBuilt } from './support/services.js';

/**
 * `bpfhive up --demo`, what `npm start` runs: the whole system as child processes on a test
 * NATS, the tour of three examples, then the system left up until SIGINT. Non-interactive: the
 * tour needs no terminal.
 */
const BIN = fileURLToPath(new URL('../bin/bpfhive.js', import.meta.url));

describe.skipIf(!kernelSimBuilt())('bpfhive up --demo', () => {
  let nats: NatsTestServer;
  let data: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
    data = mkdtempSync(join(tmpdir(), 'bpfhive-demo-test-'));
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await nats?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  it('without --demo, up runs no tour', () => {
    expect(parseUpArgs([], { natsUrl: undefined }, '/').demo).toBe(false);
    expect(parseUpArgs(['--demo'], { natsUrl: undefined }, '/').demo).toBe(true);
  });

  it('runs the tour (events, verdicts, live counters), says where to connect, stays up, and stops on SIGINT', async () => {
    const proc = spawn(process.execPath, [BIN, 'up', '--demo', '--nats', nats.url, '--data', data, '--timeout', '90'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    let gone = false;
    void exited.then(() => (gone = true));
    // Waits for the end of the tour by polling what was printed (no fixed sleep).
    const deadline = Date.now() + 240_000;
    const toured = (): boolean => {
      const at = out.indexOf(DEMO_DONE_LINE);
      return at >= 0 && out.includes('Press Ctrl-C to stop everything.\n', at);
    };
    while (!toured()) {
      if (gone || Date.now() > deadline) throw new Error(`up --demo ${gone ? 'exited' : 'timed out'} before the tour ended\n--- stdout\n${out}\n--- stderr\n${err}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    expect(out.indexOf('bpfhive up: ready')).toBeLessThan(out.indexOf('bpfhive demo: a short tour'));
    // 1: the Falco-style rule flags exactly the three sensitive opens.
    expect(out).toMatch(/Warning Read shadow file \(user uid=1000 gid=1000 process=cat pid=8001 /);
    expect(out).toMatch(/Warning Write to passwd \(.*process=backup\.sh pid=8004 /);
    expect(out).toMatch(/Warning SSH key access \(.*process=cat pid=8005 /);
    expect(out).toMatch(/^ {3}3 alerts/m);
    // 2: the HTTP filter's verdicts.
    expect(out).toMatch(/^ {3}10\.0\.0\.1:40001\s+GET \/index\.html\s+4\s+0\s+yes$/m);
    expect(out).toMatch(/^ {3}10\.0\.0\.1:40004\s+GET \/admin\s+1\s+3\s+no$/m);
    expect(out).toMatch(/http_verdicts: allowed 9 {2}dropped 9/);
    // 3: the counters, then live lines that never go down.
    expect(out).toMatch(/pkt0: rx_packets 705 {2}xdp_pass 705/);
    const live = [...out.matchAll(/^ {5}\+(\d)s {2}TCP\s+(\d+)\s+UDP\s+(\d+)\s+ICMP\s+(\d+)$/gm)].map((m) => Number(m[2]) + Number(m[3]) + Number(m[4]));
    expect(live).toHaveLength(3);
    expect(live[0]).toBeGreaterThanOrEqual(600);
    expect([...live].sort((a, b) => a - b)).toEqual(live);
    // Where to connect, after the tour.
    expect(out.slice(out.indexOf(DEMO_DONE_LINE))).toContain(`export NATS_URL=${nats.url}`);
    expect(out).not.toMatch(/bpfhive demo: stopped by an error/);

    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/\[up\] stopped\n$/);
  }, 300_000);
});
