import { type NatsConnectOptions, natsConnectOptions } from '@bpfhive/uapi';

/**
 * The verifier service's configuration: environment variables only (documented in the root README).
 *   NATS_URL, NATS_USER, NATS_PASSWORD, NATS_TOKEN   the NATS server and login (uapi natsConnectOptions)
 */
export interface VerifierConfig {
  readonly nats: NatsConnectOptions;
}

export function readVerifierConfig(env: NodeJS.ProcessEnv): VerifierConfig {
  return { nats: natsConnectOptions(env) };
}
