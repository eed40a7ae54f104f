/**
 * What `bpfhive up` and `bpfhive ping` read from the environment (documented in the root README):
 *   NATS_URL   an existing NATS server to use; unset: `up` starts its own, `ping` tries the default
 * (`up` also passes its whole environment on to the services it starts, PATH included.)
 */
export interface UpEnv {
  /** NATS_URL when set and not empty. */
  readonly natsUrl: string | undefined;
}

/** The NATS server every service and client uses when NATS_URL is unset (DESIGN.md §1). */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export function readUpEnv(env: NodeJS.ProcessEnv): UpEnv {
  return { natsUrl: env.NATS_URL || undefined };
}
