import type { Arena, BpfMap, HostedMap } from '@bpfhive/maps-store';
import { BpfError } from '@bpfhive/uapi';
import type { MapProvider } from '../ports.js';
import type { LeaseGrant, MapLeasePort } from './lease-port.js';
import { LeasedMap } from './leased-map.js';

/** The maps-store's default lease TTL: what renewals are paced by before the first grant says. */
export const DEFAULT_LEASE_TTL_MS = 10_000;

/**
 * The MapProvider of a kernel whose maps live in the maps-store (DESIGN.md §4), following the
 * lease protocol of packages/uapi/src/wire/schemas/lease.ts:
 *
 * - acquire (the first program naming the map; KernelMaps shares it among the others): open the
 *   map's data commands (they wait), lease it, build it in this kernel's arena under the same id
 *   from the spec and image, then answer the commands that waited and every later one. A user
 *   space change is checkpointed before its reply, so an acknowledged write survives this
 *   kernel. ENOENT from the maps-store is EBADF (a bad map fd in Linux); EBUSY (another kernel
 *   holds it) and the rest pass through. A map that cannot be built here is given back as granted.
 * - heartbeat (the service calls it about three times per TTL): renew every lease, drop the ones
 *   the maps-store no longer counts as ours, and checkpoint every map whose contents changed
 *   (programs write without telling).
 * - release (the last program using the map is gone): answer only reads while the contents go
 *   home, then stop answering and free the engine. A new acquire of the same map waits for it.
 *
 * Lost leases: programs keep the map's contents here; the maps-store serves its last checkpoint
 * and nothing more is sent back. Failures of background work go to `log`.
 */
export class LeasedMapProvider implements MapProvider {
  readonly #maps = new Map<number, LeasedMap>();
  readonly #releasing = new Map<number, Promise<void>>();
  #ttlMs = DEFAULT_LEASE_TTL_MS;

  constructor(
    private readonly port: MapLeasePort,
    private readonly arena: Arena,
    private readonly cpus: number,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The TTL of the last grant or renewal, in ms. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Map `id` as this kernel hosts it now, or undefined. */
  hosted(id: number): HostedMap | undefined {
    return this.#maps.get(id)?.hosted;
  }

  async acquire(mapId: number): Promise<BpfMap> {
    await this.#releasing.get(mapId);
    const inbox = await this.port.open(mapId);
    let grant: LeaseGrant;
    try {
      grant = await this.port.lease(mapId);
    } catch (e) {
      inbox.close();
      if (e instanceof BpfError && e.code === 'ENOENT') throw new BpfError('EBADF', `map ${mapId}: no such map`, { cause: e });
      throw e;
    }
    this.#ttlMs = grant.ttlMs;
    let leased: LeasedMap;
    try {
      leased = LeasedMap.host(mapId, grant, inbox, this.arena, this.cpus);
    } catch (e) {
      inbox.close();
      await this.port.release(mapId, { epoch: grant.epoch, image: grant.image, frozen: grant.frozen }).catch((r: unknown) => this.#failed(mapId, 'giving back', r));
      throw e;
    }
    this.#maps.set(mapId, leased);
    inbox.serve(leased.hosted, () => this.#checkpoint(leased));
    return leased.hosted.map;
  }

  release(mapId: number): void {
    const leased = this.#maps.get(mapId);
    if (!leased) return;
    this.#maps.delete(mapId);
    leased.inbox.readOnly();
    const done = leased
      .finally(async () => {
        if (!leased.lost) await this.port.release(mapId, leased.contents());
      })
      .catch((e: unknown) => this.#failed(mapId, 'releasing', e))
      .finally(() => {
        leased.inbox.close();
        leased.free();
        if (this.#releasing.get(mapId) === done) this.#releasing.delete(mapId);
      });
    this.#releasing.set(mapId, done);
  }

  /** Renews every lease, drops those lost, checkpoints what changed. Rejects only when the renewal fails. */
  async heartbeat(): Promise<void> {
    const asked = [...this.#maps.values()];
    const { leases, ttlMs } = await this.port.renew();
    this.#ttlMs = ttlMs;
    const ours = new Map(leases.map((l) => [l.map_id, l.epoch]));
    for (const leased of asked) {
      if (!leased.lost && ours.get(leased.id) !== leased.epoch) this.#lose(leased, 'the maps-store no longer counts it as ours');
    }
    await Promise.all([...this.#maps.values()].map((l) => this.#checkpoint(l).catch((e: unknown) => this.#failed(l.id, 'checkpointing', e))));
  }

  /** Sends every map home (shutdown); resolves once all releases are done. */
  async close(): Promise<void> {
    for (const id of [...this.#maps.keys()]) this.release(id);
    await this.settled();
  }

  /** Resolves once every release under way is done. */
  async settled(): Promise<void> {
    await Promise.all(this.#releasing.values());
  }

  #checkpoint(leased: LeasedMap): Promise<void> {
    return leased.checkpoint(async (contents) => {
      try {
        await this.port.checkpoint(leased.id, contents);
      } catch (e) {
        if (e instanceof BpfError && e.code === 'ESTALE') this.#lose(leased, e.message);
        throw e;
      }
    });
  }

  #lose(leased: LeasedMap, why: string): void {
    leased.lost = true;
    leased.inbox.close();
    this.log(`map ${leased.id}: lease lost (${why}); programs keep its contents here, the maps-store serves its last checkpoint`);
  }

  #failed(mapId: number, what: string, e: unknown): void {
    this.log(`map ${mapId}: ${what} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
