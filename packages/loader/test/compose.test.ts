import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMANDS } from '../src/cli/main.js';

/**
 * docker-compose.yml and docker/Dockerfile, checked without a Docker engine: `docker compose
 * config -q` when a compose CLI is installed, and the structure the system needs always.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const DOCKERFILE = join(ROOT, 'docker/Dockerfile');
const BPFHIVE_SERVICES = ['maps-store', 'kernel-sim', 'jit', 'verifier'];

/**
 * The compose CLI on this machine that reads the Compose Specification (compose v2: the `docker
 * compose` plugin, or a v2 `docker-compose`), or none. Debian's docker-compose 1.29 predates the
 * specification (it wants a `version:` key and refuses top-level `name`), so it does not count.
 */
function composeCli(): string[] | undefined {
  const major = (cmd: string[]): number => {
    const run = spawnSync(cmd[0]!, [...cmd.slice(1), 'version', '--short'], { encoding: 'utf8' });
    return run.status === 0 ? Number(/^v?(\d+)\./.exec(run.stdout.trim())?.[1] ?? 0) : 0;
  };
  return [['docker', 'compose'], ['docker-compose']].find((cmd) => major(cmd) >= 2);
}

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  restart?: string;
  healthcheck?: { test?: string[] };
  deploy?: { replicas?: number };
  volumes?: string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

// Merge keys (`<<: *anchor`) as compose resolves them.
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile;
const cli = composeCli();

describe('docker-compose.yml', () => {
  it.runIf(cli)('compose - `compose config -q` accepts the file', () => {
    const result = spawnSync(cli![0]!, [...cli!.slice(1), '-f', COMPOSE_FILE, 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('compose - runs nats and every bpfhive service', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['nats', ...BPFHIVE_SERVICES].sort());
  });

  it('compose - nats runs JetStream on a named volume with monitoring and a /healthz health check', () => {
    const nats = compose.services.nats!;
    expect(nats.image).toMatch(/^nats:2\.\d+/);
    expect(nats.command).toEqual(expect.arrayContaining(['-js', '-sd', '/data', '-m', '8222']));
    const volume = nats.volumes?.find((v) => v.endsWith(':/data'))?.split(':')[0];
    expect(volume && compose.volumes && volume in compose.volumes).toBe(true);
    expect(nats.healthcheck?.test?.join(' ')).toMatch(/wget -qO- http:\/\/localhost:8222\/healthz/);
    expect(nats.restart).toBe('unless-stopped');
  });

  it.each(BPFHIVE_SERVICES)('compose - %s is built from docker/Dockerfile with its SERVICE, for a package that exists', (name) => {
    const svc = compose.services[name]!;
    expect(svc.image).toBeTruthy();
    expect(svc.build?.dockerfile).toBe('docker/Dockerfile');
    expect(svc.build?.context).toBe('.');
    expect(svc.build?.args?.SERVICE).toBe(name);
    expect(existsSync(join(ROOT, 'packages', name, 'package.json'))).toBe(true);
  });

  it.each(BPFHIVE_SERVICES)('compose - %s reaches nats://nats:4222 once nats is healthy, restarts, and has a ping health check', (name) => {
    const svc = compose.services[name]!;
    expect(svc.environment?.NATS_URL).toBe('nats://nats:4222');
    expect(svc.depends_on?.nats?.condition).toBe('service_healthy');
    expect(svc.restart).toBe('unless-stopped');
    expect(svc.healthcheck?.test?.slice(0, 5)).toEqual(['CMD', 'node', 'packages/loader/bin/bpfhive.js', 'ping', name]);
  });

  it('compose - the health check command exists: the bpfhive bin and its ping command', () => {
    expect(existsSync(join(ROOT, 'packages/loader/bin/bpfhive.js'))).toBe(true);
    expect(COMMANDS.map((c) => c.name)).toContain('ping');
  });

  it('compose - the stateless services run two replicas, the stateful ones one', () => {
    expect(compose.services.jit?.deploy?.replicas).toBe(2);
    expect(compose.services.verifier?.deploy?.replicas).toBe(2);
    expect(compose.services['maps-store']?.deploy?.replicas ?? 1).toBe(1);
    expect(compose.services['kernel-sim']?.deploy?.replicas ?? 1).toBe(1);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = existsSync(DOCKERFILE) ? readFileSync(DOCKERFILE, 'utf8') : '';
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => /^[A-Z]+\s/.test(l));

  it('dockerfile - is multi-stage: prune, build, runtime', () => {
    expect(instructions.filter((l) => l.startsWith('FROM ')).map((l) => l.split(/\s+/).pop())).toEqual(['prune', 'build', 'runtime']);
  });

  it('dockerfile - takes SERVICE as a build argument and prunes the workspace to it with turbo', () => {
    expect(instructions).toContain('ARG SERVICE');
    expect(dockerfile).toMatch(/turbo@\$\{TURBO_VERSION\}" prune "@bpfhive\/\$\{SERVICE\}" .*--docker/);
  });

  it('dockerfile - the runtime stage runs packages/$SERVICE/dist/main.js as a non-root user', () => {
    const runtime = instructions.slice(instructions.findIndex((l) => l.endsWith(' AS runtime')));
    const users = runtime.filter((l) => l.startsWith('USER ')).map((l) => l.split(/\s+/)[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.find((l) => l.startsWith('CMD '))).toContain('packages/${SERVICE}/dist/main.js');
  });

  it('dockerfile - the build context leaves out installed and built files', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git']));
  });
});
