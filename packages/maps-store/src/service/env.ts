import { type IdentityPolicy, type LimitPolicy, type NatsConnectOptions, identityPolicyFromEnv, limitPolicyFromEnv, natsConnectOptions } from '@bpfhive/uapi';

/**
 * The maps-store's configuration: environment variables only (documented in the root README).
 *   NATS_URL, NATS_USER, NATS_PASSWORD, NATS_TOKEN   the NATS server and login (uapi natsConnectOptions)
 *   BPFHIVE_IDENTITY, BPFHIVE_ROLES                   who may do what (uapi identityPolicyFromEnv)
 *   BPFHIVE_LIMIT_MAP_BYTES, BPFHIVE_LIMIT_MAPS, BPFHIVE_LIMIT_ADMIN   per-account limits (uapi limitPolicyFromEnv)
 *   MAPS_STORE_CPUS           how many CPUs per-CPU maps keep values for (default 4)
 *   MAPS_STORE_DATA           where pinned maps are kept when NATS has no JetStream (default .bpfhive/maps)
 *   MAPS_STORE_LEASE_TTL_MS   how long a map lease lasts without a renewal, in ms (default 10000)
 */
export interface MapsConfig {
  readonly nats: NatsConnectOptions;
  readonly identity: IdentityPolicy;
  readonly limits: LimitPolicy;
  readonly cpus: number;
  readonly dataDir: string;
  readonly leaseTtlMs: number;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${env[name]}`);
  return value;
}

export function readMapsConfig(env: NodeJS.ProcessEnv): MapsConfig {
  return {
    nats: natsConnectOptions(env),
    identity: identityPolicyFromEnv(env),
    limits: limitPolicyFromEnv(env),
    cpus: wholeNumber(env, 'MAPS_STORE_CPUS', 4, 1, 1024),
    dataDir: env.MAPS_STORE_DATA || '.bpfhive/maps',
    leaseTtlMs: wholeNumber(env, 'MAPS_STORE_LEASE_TTL_MS', 10_000, 100, 86_400_000),
  };
}
