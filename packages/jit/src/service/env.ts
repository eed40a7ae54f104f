/**
 * The jit service's configuration: environment variables only (documented in the root README).
 *   NATS_URL   the NATS server (default nats://127.0.0.1:4222)
 */
export interface JitConfig {
  readonly natsUrl: string;
}

export function readJitConfig(env: NodeJS.ProcessEnv): JitConfig {
  return { natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222' };
}
