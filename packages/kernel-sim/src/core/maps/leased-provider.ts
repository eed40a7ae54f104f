import type { Arena, BpfMap, HostedMap, MapPorts } from '@bpfhive/maps-store';
import { BpfError, type CallerIdentity } from '@bpfhive/uapi';
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
 *   the maps-store no longer counts as ours, take back the lost ones nobody held since (below),
 *   and checkpoint every map whose contents changed (programs write without telling).
 * - release (the last program using the map is gone): answer only reads while the contents go
 *   home, then stop answering and free the engine. A new acquire of the same map waits for it.
 *
 * Lost leases (this kernel could not renew in time: a NATS outage, a stalled process): programs
 * keep the map's contents here and the maps-store serves its last checkpoint. Each heartbeat then
 * asks for the map again; a grant with the epoch right after ours means no other kernel held it
 * meanwhile, so this kernel holds it again and its next checkpoint hands the maps-store what the
 * programs wrote (a user space write the maps-store took in between is overwritten). Any other
 * grant is given back as it came and, like ENOENT or EBUSY, ends the attempts: the map went
 * elsewhere, and nothing more is sent back. Failures of background work go to `log`.
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
    /** The kernel objects a map's values name (maps-store MapPorts), per map: e.g. PerfEvents.portFor. */
    private readonly mapPorts: (mapId: number) => MapPorts = () => ({}),
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
      leased = LeasedMap.host(mapId, grant, inbox, this.arena, this.cpus, this.mapPorts(mapId));
    } catch (e) {
      inbox.close();
      await this.port.release(mapId, { epoch: grant.epoch, image: grant.image, frozen: grant.frozen }).catch((r: unknown) => this.#failed(mapId, 'giving back', r));
      throw e;
    }
    this.#maps.set(mapId, leased);
    inbox.serve(leased.hosted, () => this.#checkpoint(leased));
    return leased.hosted.map;
  }

  checkAccess(mapId: number, who: CallerIdentity, action: string): void {
    this.#maps.get(mapId)?.inbox.checkAccess?.(who, mapId, action);
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
    const held = asked.filter((l) => !l.lost).map((l) => ({ map_id: l.id, spec: l.hosted.map.spec, frozen: l.hosted.frozen, epoch: l.epoch }));
    const { leases, ttlMs, checkpoint = [] } = await this.port.renew(held);
    this.#ttlMs = ttlMs;
    for (const id of checkpoint) this.#maps.get(id)?.unsent();
    const ours = new Map(leases.map((l) => [l.map_id, l.epoch]));
    for (const leased of asked) {
      if (!leased.lost && ours.get(leased.id) !== leased.epoch) this.#lose(leased, 'the maps-store no longer counts it as ours');
    }
    const lost = [...this.#maps.values()].filter((l) => l.lost && !l.lostForGood);
    await Promise.all(lost.map((l) => this.#retake(l).catch((e: unknown) => this.#failed(l.id, 'taking back', e))));
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

  /** Leases a lost map again (see the class comment); rejects on a failure worth retrying. */
  async #retake(leased: LeasedMap): Promise<void> {
    const inbox = await this.port.open(leased.id);
    let grant: LeaseGrant;
    try {
      grant = await this.port.lease(leased.id);
    } catch (e) {
      inbox.close();
      if (e instanceof BpfError && (e.code === 'ENOENT' || e.code === 'EBUSY')) return this.#loseForGood(leased, e.message);
      throw e;
    }
    const released = this.#maps.get(leased.id) !== leased;
    const heldElsewhere = grant.epoch !== leased.epoch + 1;
    if (released || heldElsewhere) {
      inbox.close();
      await this.port.release(leased.id, { epoch: grant.epoch, image: grant.image, frozen: grant.frozen });
      if (!released) this.#loseForGood(leased, `another holder had it since: epoch ${grant.epoch}, ours was ${leased.epoch}`);
      return;
    }
    leased.retake(grant, inbox);
    inbox.serve(leased.hosted, () => this.#checkpoint(leased));
    this.log(`map ${leased.id}: lease taken back (epoch ${grant.epoch}); the maps-store gets this kernel's contents`);
  }

  #loseForGood(leased: LeasedMap, why: string): void {
    leased.lostForGood = true;
    this.log(`map ${leased.id}: lease cannot be taken back (${why}); programs keep its contents here`);
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
