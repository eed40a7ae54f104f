import { type NatsConnection, NoRespondersError } from '@nats-io/transport-node';
import { ServiceNames } from '@bpfhive/uapi';
import type { BpfClient, IdKind } from '../../client/index.js';

/**
 * What `bpfhive bench load` watches besides its own requests: each service instance's memory
 * over time, from the NATS micro services STATS (`$SRV.STATS.<name>`, whose endpoint `data` every
 * bpfhive service fills with uapi's processMemoryStats), and the live objects of every kind
 * (the *_get_next_id walks bpftool's `list` commands do), to show nothing leaked.
 */

/** One service instance's memory at one moment. */
export interface MemorySample {
  /** Seconds since the run started. */
  readonly t: number;
  readonly service: string;
  /** The instance's micro service id (replicas differ). */
  readonly id: string;
  readonly rss_bytes: number;
  readonly heap_used_bytes?: number;
}

/** Live objects of each kind. */
export type ObjectCounts = Readonly<Record<IdKind, number>>;

/** The services whose memory a run samples. */
export const SAMPLED_SERVICES: readonly string[] = [ServiceNames.kernelSim, ServiceNames.mapsStore, ServiceNames.verifier, ServiceNames.jit];

/** The memory every instance of `service` reports now (none when it does not answer or reports no rss_bytes). */
export async function serviceMemory(nc: NatsConnection, service: string, t: number, maxWaitMs = 1_000): Promise<MemorySample[]> {
  const out: MemorySample[] = [];
  try {
    const replies = await nc.requestMany(`$SRV.STATS.${service}`, '', { strategy: 'stall', stall: 200, maxWait: maxWaitMs });
    for await (const msg of replies) {
      const sample = parseStats(msg.string(), service, t);
      if (sample) out.push(sample);
    }
  } catch (e) {
    if (!(e instanceof NoRespondersError)) throw e;
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** A STATS reply's memory: the first endpoint's data carrying rss_bytes. */
export function parseStats(body: string, service: string, t: number): MemorySample | undefined {
  let stats: { name?: unknown; id?: unknown; endpoints?: { data?: { rss_bytes?: unknown; heap_used_bytes?: unknown } | null }[] };
  try {
    stats = JSON.parse(body) as typeof stats;
  } catch {
    return undefined;
  }
  if (stats.name !== service || typeof stats.id !== 'string') return undefined;
  const data = (stats.endpoints ?? []).map((e) => e.data).find((d) => typeof d?.rss_bytes === 'number');
  if (!data) return undefined;
  return { t, service, id: stats.id, rss_bytes: data.rss_bytes as number, ...(typeof data.heap_used_bytes === 'number' && { heap_used_bytes: data.heap_used_bytes }) };
}

/** Every sampled service's memory now. */
export async function allServiceMemory(nc: NatsConnection, t: number): Promise<MemorySample[]> {
  return (await Promise.all(SAMPLED_SERVICES.map((s) => serviceMemory(nc, s, t)))).flat();
}

/** How many objects of each kind exist now (CAP_SYS_ADMIN's get_next_id walks). */
export async function objectCounts(client: BpfClient): Promise<ObjectCounts> {
  const count = async (kind: IdKind): Promise<number> => {
    let n = 0;
    for await (const _ of client.ids(kind)) n++;
    return n;
  };
  const [map, prog, link, btf] = await Promise.all((['map', 'prog', 'link', 'btf'] as const).map(count));
  return { map: map!, prog: prog!, link: link!, btf: btf! };
}
