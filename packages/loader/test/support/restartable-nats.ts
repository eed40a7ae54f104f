/**
 * A nats-server that a fault test owns and can stop and start again: the second start listens on
 * the SAME client port with the SAME JetStream store directory, as an operator restarting the
 * server would, so clients that reconnect find it where it was. It also serves the HTTP monitoring
 * endpoint, which tells a test when the server has dropped a killed client's connection.
 *
 * testkit's startNatsServer cannot do this (a server from NATS_URL or a container cannot be
 * restarted in place), so the fault tests always run the nats-server binary.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsServerUnavailableError, defaultSearchPath, findExecutable } from '@bpfhive/testkit';
import { listeningPort } from '../../src/up/nats-launcher.js';
import { stopProcess } from '../../src/up/stop-process.js';

export interface RestartableNats {
  /** `nats://127.0.0.1:PORT`, the same across restarts. */
  readonly url: string;
  /** Stops the server (SIGTERM, SIGKILL after 5 s); resolves once it exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store; resolves once it is ready. */
  start(): Promise<void>;
  /** How many client connections named `name` the server has now (its /connz). */
  connections(name: string): Promise<number>;
  /** Stops it for good and removes its store. */
  close(): Promise<void>;
}

const READY_MS = 15_000;

/** Starts nats-server with JetStream on free loopback ports and a fresh store directory. */
export async function startRestartableNats(): Promise<RestartableNats> {
  const binary = findExecutable('nats-server', defaultSearchPath());
  if (!binary) throw new NatsServerUnavailableError('the fault tests restart nats-server in place: install it (apt-get install nats-server)');
  const storeDir = mkdtempSync(join(tmpdir(), 'bpfhive-faults-nats-'));
  let ports = await launch(binary, storeDir, { client: -1, monitor: -1 });
  const url = `nats://127.0.0.1:${ports.client}`;
  return {
    url,
    stop: () => stopProcess(ports.child),
    start: async () => {
      ports = await launch(binary, storeDir, ports);
    },
    connections: async (name) => {
      const connz = (await (await fetch(`http://127.0.0.1:${ports.monitor}/connz?limit=1024`)).json()) as { connections?: { name?: string }[] };
      return (connz.connections ?? []).filter((c) => c.name === name).length;
    },
    close: async () => {
      await stopProcess(ports.child);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

interface Launched {
  readonly child: ChildProcess;
  readonly client: number;
  readonly monitor: number;
}

/** nats-server on the given ports (-1: a free one), resolved once it logs that it is ready. */
function launch(binary: string, storeDir: string, want: { readonly client: number; readonly monitor: number }): Promise<Launched> {
  const args = ['-a', '127.0.0.1', '-p', String(want.client), '-m', String(want.monitor), '-js', '-sd', storeDir];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    let ready = false;
    const timer = setTimeout(() => fail(`nats-server did not become ready within ${READY_MS} ms`), READY_MS);
    function fail(reason: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new NatsServerUnavailableError(`${reason}\n${log.slice(-2000)}`));
    }
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      const client = listeningPort(log);
      const monitor = /Starting http monitor on \S*:(\d+)/.exec(log)?.[1];
      if (client === undefined || monitor === undefined || !log.includes('Server is ready')) return;
      clearTimeout(timer);
      ready = true;
      // Keep draining its output, or the server blocks once a pipe fills up.
      child.stdout?.off('data', onData).resume();
      child.stderr?.off('data', onData).resume();
      resolve({ child, client, monitor: Number(monitor) });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (e) => fail(`cannot run ${binary}: ${e.message}`));
    child.once('exit', (code) => ready || fail(`nats-server exited with code ${code}`));
  });
}
