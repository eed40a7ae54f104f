/**
 * Where a client finds NATS: the `NATS_URL` environment variable (documented in the root README),
 * else the local default. The one place the client reads the environment.
 */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export function natsUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.NATS_URL || DEFAULT_NATS_URL;
}
