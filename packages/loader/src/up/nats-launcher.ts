import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { eachLine, isNatsTrouble } from './lines.js';
import { STOP_GRACE_MS, stopProcess } from './stop-process.js';

/** nats-server is not installed; the message says how to get it or do without. */
export class NatsServerMissingError extends Error {
  constructor() {
    super(
      [
        'nats-server not found (looked in PATH and the usual sbin and bin folders). Either:',
        '  - install it: apt-get install nats-server (Debian/Ubuntu), brew install nats-server (macOS),',
        '    or download a release from https://github.com/nats-io/nats-server/releases;',
        '  - or use a server that already runs: NATS_URL=nats://HOST:4222 bpfhive up (or --nats URL).',
      ].join('\n'),
    );
  }
}

/** A nats-server that `bpfhive up` started and owns. */
export interface LocalNats {
  readonly url: string;
  readonly pid: number;
  readonly storeDir: string;
  /** Resolves when it exits on its own (a crash, someone killed it). */
  readonly exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

/** The folders searched for nats-server: PATH, then where Debian and Homebrew install servers. */
export function natsSearchPath(pathVar: string | undefined): string[] {
  const path = (pathVar ?? '').split(delimiter).filter((d) => d !== '');
  return [...path, '/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin', '/opt/homebrew/bin'];
}

/** The first `nats-server` in `dirs` (see natsSearchPath), or NatsServerMissingError. */
export function findNatsServer(dirs: readonly string[]): string {
  const binary = dirs
    .map((dir) => join(dir, 'nats-server'))
    .find((file) => existsSync(file));
  if (!binary) throw new NatsServerMissingError();
  return binary;
}

/**
 * Starts `nats-server -js` on a free loopback port (the server picks it: `-p -1`) with its
 * JetStream store in `storeDir`, and resolves once it logs that it is ready. It runs in its own
 * process group, so a terminal's Ctrl-C reaches `up` only, which stops it last.
 * Rejects with the server's last log lines when it exits or stays silent for `timeoutMs`.
 * Once ready, its warnings and errors go to `onTrouble`; the rest of its log is dropped.
 */
export function startLocalNats(
  binary: string,
  storeDir: string,
  timeoutMs: number,
  /** Called after start with the server's warnings and errors. */
  onTrouble: (line: string) => void = () => {},
): Promise<LocalNats> {
  mkdirSync(storeDir, { recursive: true });
  const args = ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', storeDir];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let log = '';
    let port: number | undefined;
    const timer = setTimeout(() => fail(`nats-server did not become ready within ${timeoutMs} ms`), timeoutMs);
    function fail(reason: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${reason}; its last lines:\n${log.split('\n').slice(-15).join('\n')}`));
    }
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      port ??= listeningPort(log);
      if (port === undefined || !log.includes('Server is ready')) return;
      clearTimeout(timer);
      // Keep reading its output, or the server blocks once the pipe fills up.
      for (const stream of [child.stdout, child.stderr]) {
        stream?.off('data', onData);
        eachLine(stream, (line) => isNatsTrouble(line) && onTrouble(line));
      }
      resolve(localNats(child, `nats://127.0.0.1:${port}`, storeDir, exited));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (e) => fail(`cannot run ${binary}: ${e.message}`));
    child.once('exit', (code) => port === undefined && fail(`nats-server exited with code ${code}`));
  });
}

/** The client port from nats-server's "Listening for client connections on HOST:PORT" line. */
export function listeningPort(log: string): number | undefined {
  const m = /Listening for client connections on \S*:(\d+)/.exec(log);
  return m ? Number(m[1]) : undefined;
}

function localNats(child: ChildProcess, url: string, storeDir: string, exited: Promise<number | null>): LocalNats {
  return { url, pid: child.pid ?? 0, storeDir, exited, stop: (graceMs = STOP_GRACE_MS) => stopProcess(child, graceMs) };
}
