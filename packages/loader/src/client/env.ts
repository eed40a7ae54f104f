import { DEFAULT_NATS_URL, type NatsConnectOptions, natsConnectOptions } from '@bpfhive/uapi';

/**
 * Where a client finds NATS and how it logs in: `NATS_URL`, `NATS_USER`/`NATS_PASSWORD`,
 * `NATS_TOKEN` (documented in the root README; read by uapi's natsConnectOptions, as every
 * service reads them). The one place the client reads the environment.
 */
export { DEFAULT_NATS_URL };

/** The NATS URL alone (NATS_URL, else the local default). */
export function natsUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.NATS_URL || DEFAULT_NATS_URL;
}

/** Everything connect() needs from the environment: servers and login; an Error for contradictory variables. */
export function natsConnectFromEnv(env: NodeJS.ProcessEnv = process.env): NatsConnectOptions {
  return natsConnectOptions(env);
}
