/**
 * How every bpfhive process finds and logs in to NATS, from its environment (the root README's
 * table documents the variables):
 *
 *   NATS_URL       the server(s), comma-separated (default nats://127.0.0.1:4222)
 *   NATS_USER      with NATS_PASSWORD: a user and password login (deploy/nats/bpfhive.conf: the
 *   NATS_PASSWORD  services log in as `bpfhive`)
 *   NATS_TOKEN     a token login instead
 *
 * Pure: the result is plain data that nats.js `connect()` takes as it is, so this module needs no
 * NATS import. A user and password written into NATS_URL are ignored by nats.js; give them here.
 */

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** The connection options the environment gives (a subset of nats.js ConnectionOptions). */
export interface NatsConnectOptions {
  /** One URL, or several for a cluster. */
  readonly servers: string | string[];
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
}

/**
 * The connect options of `env`. Throws an Error naming the variables when they contradict each
 * other: NATS_USER without NATS_PASSWORD (or the reverse), or a token together with a user.
 * Empty variables count as unset.
 */
export function natsConnectOptions(env: Readonly<Record<string, string | undefined>>): NatsConnectOptions {
  const { NATS_USER: user, NATS_PASSWORD: pass, NATS_TOKEN: token } = env;
  if (Boolean(user) !== Boolean(pass)) throw new Error('NATS_USER and NATS_PASSWORD must be set together');
  if (token && user) throw new Error('set NATS_TOKEN or NATS_USER/NATS_PASSWORD, not both');
  const urls = (env.NATS_URL ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
  return {
    servers: urls.length === 0 ? DEFAULT_NATS_URL : urls.length === 1 ? urls[0]! : urls,
    ...(user && pass && { user, pass }),
    ...(token && { token }),
  };
}

/** The servers of `options` as one string, for log lines (never the credentials). */
export function natsServersText(options: NatsConnectOptions): string {
  return typeof options.servers === 'string' ? options.servers : options.servers.join(',');
}
