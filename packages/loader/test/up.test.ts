import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `bpfhive up` as a user runs it: a child process with NATS_URL unset, so it starts its own
 * nats-server; the services it starts must answer on that server, and SIGINT must leave no
 * process behind. Linux only (the process tree is read from /proc).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/loader/bin/bpfhive.js');
const READY = 'bpfhive up: ready';

/**
 * The services `up` starts must be built. turbo builds the loader's dependencies before its tests,
 * but maps-store is not one of them, so build it here when it is missing.
 */
function ensureBuilt(service: string): void {
  if (existsSync(join(ROOT, 'packages', service, 'dist/main.js'))) return;
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'packages', service, 'tsconfig.build.json')], { stdio: 'inherit' });
}

/** A running `bpfhive up` and everything it printed so far. */
interface Up {
  readonly child: ChildProcess;
  out: string;
  err: string;
  readonly exited: Promise<number | null>;
}

function startUp(args: string[]): Up {
  const env = { ...process.env };
  delete env.NATS_URL;
  const child = spawn(process.execPath, [BIN, 'up', ...args], { env, cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  const up: Up = { child, out: '', err: '', exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout?.on('data', (d: Buffer) => (up.out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (up.err += d.toString()));
  return up;
}

/** Resolves once `test` holds for what `up` printed; fails with its output if it exits first or takes too long. */
async function waitForOutput(up: Up, test: (up: Up) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void up.exited.then(() => (exited = true));
  while (!test(up)) {
    if (exited || Date.now() > deadline) {
      throw new Error(`bpfhive up ${exited ? 'exited' : 'timed out'} before ${what}\n--- stdout\n${up.out}\n--- stderr\n${up.err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every process below `pid`, from /proc: pid and command name. */
function descendants(pid: number): { pid: number; comm: string }[] {
  const parents = new Map<number, { ppid: number; comm: string }>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), { ppid, comm });
    } catch {
      // gone meanwhile
    }
  }
  const below: { pid: number; comm: string }[] = [];
  const walk = (parent: number): void => {
    for (const [child, { ppid, comm }] of parents) {
      if (ppid !== parent) continue;
      below.push({ pid: child, comm });
      walk(child);
    }
  };
  walk(pid);
  return below;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runBin(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const servicePing = async (nc: NatsConnection, name: string): Promise<{ name: string; id: string }> =>
  (await nc.request(`$SRV.PING.${name}`, '', { timeout: 5_000 })).json<{ name: string; id: string }>();

describe.runIf(process.platform === 'linux')('bpfhive up', () => {
  const data = mkdtempSync(join(tmpdir(), 'bpfhive-up-test-'));
  let up: Up;
  let url = '';
  let nc: NatsConnection | undefined;

  beforeAll(async () => {
    ensureBuilt('maps-store');
    ensureBuilt('jit');
    up = startUp(['--data', data]);
    await waitForOutput(up, (u) => u.out.includes(READY), `the "${READY}" line`);
    url = /export NATS_URL=(\S+)/.exec(up.out)?.[1] ?? '';
    nc = await connect({ servers: url, noAsyncTraces: true });
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    if (up?.child.exitCode === null) up.child.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  });

  it('up - the ready message gives a local NATS URL to export and the instance ids of jit and maps-store', () => {
    expect(url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(up.out).toMatch(/services +maps-store +1 instance +\w+/);
    expect(up.out).toMatch(/ +jit +1 instance +\w+/);
    expect(existsSync(join(data, 'nats'))).toBe(true);
  });

  it('up - jit and maps-store answer $SRV.PING on its NATS server, with the ids it printed', async () => {
    for (const name of ['jit', 'maps-store']) {
      const reply = await servicePing(nc!, name);
      expect(reply.name).toBe(name);
      expect(up.out).toContain(reply.id);
    }
  });

  it('up - the maps-store it started creates a map', async () => {
    const body = JSON.stringify({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 16 });
    const reply = (await nc!.request('bpf.v1.map_create', body, { timeout: 5_000 })).json<{ map_id: number }>();
    expect(reply.map_id).toBeGreaterThan(0);
  });

  it('up - the services log through it with a [service] prefix', () => {
    expect(up.out).toMatch(/^\[maps-store\] /m);
    expect(up.out).toMatch(/^\[jit\] /m);
  });

  it('ping - bpfhive ping answers 0 with the instance for a running service, 1 for an absent one', async () => {
    const env = { ...process.env, NATS_URL: url };
    const jit = await runBin(['ping', 'jit'], env);
    expect(jit.code).toBe(0);
    expect(jit.stdout).toMatch(/^jit \w+ 0\.1\.0$/m);
    const absent = await runBin(['ping', 'no-such-service', '--timeout', '1000'], env);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/no no-such-service service answered/);
  });

  it('up - a service that dies is restarted and answers again', async () => {
    const pid = Number(/started jit \(pid (\d+)\)/.exec(up.out)?.[1]);
    expect(isAlive(pid)).toBe(true);
    process.kill(pid, 'SIGKILL');
    await waitForOutput(up, (u) => /jit restarted \(pid \d+/.test(u.err), 'jit was restarted');
    expect(up.err).toMatch(/jit stopped unexpectedly \(killed by SIGKILL\); restarting it in/);
    let answered = false;
    for (let i = 0; i < 100 && !answered; i++) {
      answered = await servicePing(nc!, 'jit').then(
        () => true,
        () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 200)),
      );
    }
    expect(answered).toBe(true);
  });

  it('up - SIGINT stops every service and the nats-server it started, and exits 0', async () => {
    const below = descendants(up.child.pid!);
    expect(below.map((p) => p.comm)).toContain('nats-server');
    expect(below.filter((p) => p.comm === 'node').length).toBeGreaterThanOrEqual(2);
    await nc?.close();
    nc = undefined;
    up.child.kill('SIGINT');
    expect(await up.exited).toBe(0);
    expect(below.filter((p) => isAlive(p.pid))).toEqual([]);
    expect(up.out).toMatch(/\[up\] stopped\n$/);
  });
});

describe('bpfhive up when NATS is not there', () => {
  it('up - a NATS URL that does not answer is an error, and nothing is left running', async () => {
    const env = { ...process.env };
    delete env.NATS_URL;
    const result = await runBin(['up', '--nats', 'nats://127.0.0.1:1', '--quiet'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Error: no NATS server answers at nats:\/\/127\.0\.0\.1:1 \(from --nats\)/);
    expect(result.stdout).not.toMatch(/started/);
  });
});
