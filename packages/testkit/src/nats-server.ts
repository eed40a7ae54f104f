import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

/** A NATS server that a test can connect to. */
export interface NatsTestServer {
  /** Client URL, e.g. `nats://127.0.0.1:41234`. */
  readonly url: string;
  /** Where it came from: the NATS_URL variable, a testcontainers container, or a nats-server process. */
  readonly kind: 'env' | 'container' | 'binary';
  /** Stops what this call started (an external server from NATS_URL is left alone). */
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  /** Enable JetStream (default true). */
  readonly jetstream?: boolean;
  /** Environment to read NATS_URL from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for a server to become ready (default 15 s). */
  readonly timeoutMs?: number;
  /** Folders to look for `nats-server` in (default: PATH, then the usual sbin and bin folders). */
  readonly searchPath?: readonly string[];
  /** Try a testcontainers container when a Docker engine seems present (default true). */
  readonly containers?: boolean;
  /**
   * A nats-server configuration file (accounts, users, permissions) to start the server with,
   * e.g. deploy/nats/bpfhive.conf. The server still listens on a random loopback port with a
   * temporary JetStream store, so the file must not set `store_dir` (nats-server refuses it
   * twice) and should not `include` other files. NATS_URL is then ignored: a server someone
   * else started does not run this configuration.
   */
  readonly config?: string;
  /**
   * Environment variables for nats-server on top of process.env: the values of the config's
   * `$NAME` references (passwords), which nats-server reads from its environment.
   */
  readonly serverEnv?: Readonly<Record<string, string>>;
}

/** No NATS server could be found or started; the message says how to get one. */
export class NatsServerUnavailableError extends Error {}

/**
 * A real NATS server for a test, found in this order (DESIGN.md §7):
 * 1. `NATS_URL` when set — used as it is, never stopped (skipped when `config` is given);
 * 2. a testcontainers `nats` container when a Docker engine answers;
 * 3. the `nats-server` binary from PATH, on a random loopback port with a temporary store.
 * A missing server is an error with install hints, never a silent skip.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsTestServer> {
  const env = options.env ?? process.env;
  const jetstream = options.jetstream ?? true;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const config = options.config || options.serverEnv ? { file: options.config, env: options.serverEnv ?? {} } : undefined;
  if (env.NATS_URL && !options.config) return { url: env.NATS_URL, kind: 'env', stop: async () => {} };
  if ((options.containers ?? true) && dockerEngineLikely(env)) {
    const container = await startContainer(jetstream, config).catch(() => undefined);
    if (container) return container;
  }
  const binary = findExecutable('nats-server', options.searchPath ?? defaultSearchPath(env));
  if (!binary) {
    throw new NatsServerUnavailableError(
      'no NATS server for the tests: set NATS_URL, start a Docker engine, or install nats-server ' +
        '(Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server)',
    );
  }
  return startBinary(binary, jetstream, timeoutMs, config);
}

/** A configuration file for nats-server and the environment its `$NAME` references read. */
export interface ServerConfig {
  readonly file?: string;
  readonly env: Readonly<Record<string, string>>;
}

function dockerEngineLikely(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

/** PATH, then the folders Debian and Homebrew install servers into. */
export function defaultSearchPath(env: NodeJS.ProcessEnv = process.env): string[] {
  const path = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  return [...path, '/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin', '/opt/homebrew/bin'];
}

/** The first `dir/name` that exists, or undefined. */
export function findExecutable(name: string, dirs: readonly string[]): string | undefined {
  return dirs.map((dir) => join(dir, name)).find((file) => existsSync(file));
}

const CONTAINER_CONFIG = '/etc/nats/bpfhive-test.conf';

async function startContainer(jetstream: boolean, config?: ServerConfig): Promise<NatsTestServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  let image = new GenericContainer('nats:2');
  if (config?.file) image = image.withCopyFilesToContainer([{ source: resolve(config.file), target: CONTAINER_CONFIG }]);
  if (config) image = image.withEnvironment({ ...config.env });
  const container = await image
    .withCommand([...(config?.file ? ['-c', CONTAINER_CONFIG] : []), ...(jetstream ? ['-js'] : [])])
    .withExposedPorts(4222)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  return {
    url: `nats://${container.getHost()}:${container.getMappedPort(4222)}`,
    kind: 'container',
    stop: async () => {
      await container.stop();
    },
  };
}

/**
 * Starts nats-server on a random loopback port (with `config.file` when given, its variables
 * from `config.env`) and resolves once it logs that it is ready.
 */
export function startBinary(binary: string, jetstream: boolean, timeoutMs: number, config?: ServerConfig): Promise<NatsTestServer> {
  const storeDir = mkdtempSync(join(tmpdir(), 'bpfhive-nats-'));
  const args = [
    ...(config?.file ? ['-c', resolve(config.file)] : []),
    ...['-a', '127.0.0.1', '-p', '-1'],
    ...(jetstream ? ['-js', '-sd', storeDir] : []),
  ];
  const env = config ? { ...process.env, ...config.env } : process.env;
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const cleanup = (): void => rmSync(storeDir, { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    let log = '';
    let port: number | undefined;
    const timer = setTimeout(() => fail(`nats-server did not become ready within ${timeoutMs} ms`), timeoutMs);
    function fail(reason: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      cleanup();
      reject(new NatsServerUnavailableError(`${reason}\n${log.slice(-2000)}`));
    }
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      const m = /Listening for client connections on [^\s]*:(\d+)/.exec(log);
      if (m) port = Number(m[1]);
      if (port !== undefined && log.includes('Server is ready')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve({ url: `nats://127.0.0.1:${port}`, kind: 'binary', stop: () => stopChild(child, cleanup) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (e) => fail(`cannot run ${binary}: ${e.message}`));
    child.once('exit', (code) => port === undefined && fail(`nats-server exited with code ${code}`));
  });
}

function stopChild(child: ChildProcess, cleanup: () => void): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      cleanup();
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      cleanup();
      resolve();
    });
    child.kill('SIGTERM');
  });
}
