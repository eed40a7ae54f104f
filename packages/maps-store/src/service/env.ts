/**
 * The maps-store's configuration: environment variables only (documented in the root README).
 *   NATS_URL        the NATS server (default nats://127.0.0.1:4222)
 *   MAPS_STORE_CPUS how many CPUs per-CPU maps keep values for (default 4)
 *   MAPS_STORE_DATA where pinned maps are kept when NATS has no JetStream (default .bpfhive/maps)
 */
export interface MapsConfig {
  readonly natsUrl: string;
  readonly cpus: number;
  readonly dataDir: string;
}

export function readMapsConfig(env: NodeJS.ProcessEnv): MapsConfig {
  const cpus = Number(env.MAPS_STORE_CPUS ?? 4);
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 1024) throw new Error(`MAPS_STORE_CPUS must be a whole number from 1 to 1024, got ${env.MAPS_STORE_CPUS}`);
  return { natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222', cpus, dataDir: env.MAPS_STORE_DATA || '.bpfhive/maps' };
}
