import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../cli/io.js';
import { DEFAULT_NATS_URL, type UpEnv } from './env.js';
import { STATELESS, type ServiceName, isServiceName } from './layout.js';

/** Where the NATS server comes from: one that already runs, or one `up` starts and stops. */
export type NatsChoice =
  | { readonly kind: 'external'; readonly url: string; readonly from: '--nats' | 'NATS_URL' | 'default' }
  | { readonly kind: 'local' };

/** `bpfhive up`'s settings, parsed and checked. */
export interface UpOptions {
  readonly nats: NatsChoice;
  /** Instances per service; services not named run once. */
  readonly replicas: ReadonlyMap<ServiceName, number>;
  /** Absolute; holds `nats/` (the JetStream store) and `maps/` (the maps-store's files). */
  readonly dataDir: string;
  /** Do not forward the services' logs. */
  readonly quiet: boolean;
  /** How long every service gets to answer `$SRV.PING` at start. */
  readonly readyTimeoutMs: number;
  /** Once up, run the tour of the examples (demo.ts), then stay up. */
  readonly demo: boolean;
}

export const MAX_REPLICAS = 16;

/**
 * Parses `bpfhive up`'s arguments. `--nats URL` wins over NATS_URL; with neither, a local
 * nats-server is started unless `--no-nats` says to use the default URL instead.
 * Rejects (UsageError) positionals, malformed replicas, and replicas of a stateful service.
 */
export function parseUpArgs(args: string[], env: UpEnv, cwd: string): UpOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      nats: { type: 'string' },
      'no-nats': { type: 'boolean', default: false },
      replicas: { type: 'string', multiple: true, default: [] },
      data: { type: 'string', default: '.bpfhive' },
      quiet: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '30' },
      demo: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError(`up takes no arguments, got '${positionals.join(' ')}'`);
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not ${values.timeout}`);
  return {
    nats: natsChoice(values.nats, values['no-nats'], env),
    replicas: parseReplicas(values.replicas.join(',')),
    dataDir: resolve(cwd, values.data),
    quiet: values.quiet,
    readyTimeoutMs: timeout * 1000,
    demo: values.demo,
  };
}

function natsChoice(flag: string | undefined, noNats: boolean, env: UpEnv): NatsChoice {
  if (flag !== undefined) {
    if (flag === '') throw new UsageError('--nats needs a URL, e.g. nats://127.0.0.1:4222');
    return { kind: 'external', url: flag, from: '--nats' };
  }
  if (env.natsUrl) return { kind: 'external', url: env.natsUrl, from: 'NATS_URL' };
  return noNats ? { kind: 'external', url: DEFAULT_NATS_URL, from: 'default' } : { kind: 'local' };
}

/** `jit=2,verifier=3` → a map; empty → no entries. Only stateless services take more than one. */
export function parseReplicas(text: string): Map<ServiceName, number> {
  const replicas = new Map<ServiceName, number>();
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([a-z-]+)=(\d+)$/.exec(item);
    if (!m) throw new UsageError(`--replicas takes SERVICE=N[,SERVICE=N…], not '${item}'`);
    const [, name = '', count = ''] = m;
    if (!isServiceName(name)) throw new UsageError(`--replicas: unknown service '${name}'`);
    const n = Number(count);
    if (n < 1 || n > MAX_REPLICAS) throw new UsageError(`--replicas: ${name} takes 1 to ${MAX_REPLICAS} instances, not ${count}`);
    if (n > 1 && !STATELESS.has(name)) throw new UsageError(`--replicas: ${name} keeps state and runs once; only ${[...STATELESS].join(' and ')} scale out`);
    replicas.set(name, n);
  }
  return replicas;
}
