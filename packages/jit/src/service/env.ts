import { type NatsConnectOptions, natsConnectOptions } from '@bpfhive/uapi';

/**
 * The jit service's configuration: environment variables only (documented in the root README).
 *   NATS_URL, NATS_USER, NATS_PASSWORD, NATS_TOKEN   the NATS server and login (uapi natsConnectOptions)
 */
export interface JitConfig {
  readonly nats: NatsConnectOptions;
}

export function readJitConfig(env: NodeJS.ProcessEnv): JitConfig {
  return { nats: natsConnectOptions(env) };
}
