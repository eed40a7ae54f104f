import type { Arena, BpfMap, HostedMap, MapPorts, ObjectTable } from '@bpfhive/maps-store';
import { BpfError, type CallerIdentity, mapTypeName } from '@bpfhive/uapi';
import type { MapProvider } from '../ports.js';
import type { InnerMapHolds, LeaseGrant, MapLeasePort } from './lease-port.js';
import { LeasedMap, innerMapIds, isMapOfMaps } from './leased-map.js';

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
 * - release (the last program using the map is gone, and no slot of a map of maps here names
 *   it): answer only reads while the contents go home, then stop answering and free the engine.
 *   A new acquire of the same map waits for it.
 *
 * Maps of maps (ARRAY_OF_MAPS, HASH_OF_MAPS), as in Linux where the outer map holds a reference
 * on each inner map: leasing an outer map first leases every inner map its image names (the same
 * protocol; a map programs already use here is shared), then builds the outer engine with a
 * `maps` port resolving inner ids to the maps hosted here, so a program's lookup in the outer map
 * gives an inner map pointer the map helpers take. Each slot holds its inner map (LeasedMap.users):
 * an inner map goes home once no program and no slot uses it, and after the outer map itself
 * (whose release lets go of its slots once it is home, so the maps-store never sees a slot
 * naming a map it took back first). An inner map that cannot be leased (EBUSY: another kernel
 * has it) fails the outer's acquire. User space updates naming new inner ids are held through
 * `InnerMapHolds` (given to the outer map's inbox) before the engine's synchronous update.
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
  readonly #pending = new Map<number, Promise<LeasedMap>>();
  readonly #releasing = new Map<number, Promise<void>>();
  #ttlMs = DEFAULT_LEASE_TTL_MS;
  /** The `maps` port of every map of maps hosted here: inner maps by id, among the maps hosted here (a slot holds one). */
  readonly #innerMaps: ObjectTable<BpfMap> = {
    acquire: (id) => {
      const leased = this.#maps.get(id);
      if (!leased) return undefined;
      leased.users++;
      return leased.hosted.map;
    },
    release: (id) => this.#drop(id),
  };
  /** What the inbox of a map of maps holds an update's inner maps with. */
  readonly #innerHolds: InnerMapHolds = {
    hold: async (id) => {
      const leased = await this.#hold(id).catch((e: unknown) => {
        throw innerMapError(id, 'update', e);
      });
      let dropped = false;
      return () => {
        if (!dropped) this.#drop(leased.id);
        dropped = true;
      };
    },
    checkAccess: (id, who, action) => this.checkAccess(id, who, action),
  };

  constructor(
    private readonly port: MapLeasePort,
    private readonly arena: Arena,
    private readonly cpus: number,
    private readonly log: (line: string) => void = () => undefined,
    /** The kernel objects a map's values name (maps-store MapPorts), per map: e.g. PerfEvents.portFor. Inner maps come from here. */
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
    return (await this.#hold(mapId)).hosted.map;
  }

  checkAccess(mapId: number, who: CallerIdentity, action: string): void {
    this.#maps.get(mapId)?.inbox.checkAccess?.(who, mapId, action);
  }

  release(mapId: number): void {
    this.#drop(mapId);
  }

  /** Takes one hold on map `mapId`, leasing it when it is not hosted here. */
  async #hold(mapId: number): Promise<LeasedMap> {
    for (;;) {
      const leased = this.#maps.get(mapId);
      if (leased) {
        leased.users++;
        return leased;
      }
      let pending = this.#pending.get(mapId);
      if (!pending) {
        pending = this.#lease(mapId).finally(() => this.#pending.delete(mapId));
        this.#pending.set(mapId, pending);
      }
      await pending;
    }
  }

  /** Leases map `mapId` and hosts it (no hold taken: #hold takes it). */
  async #lease(mapId: number): Promise<LeasedMap> {
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
    const inner: LeasedMap[] = [];
    let leased: LeasedMap;
    try {
      // Held while the outer engine is built (it takes a hold of its own per slot); these go in `finally`.
      for (const id of innerMapIds(grant)) {
        inner.push(
          await this.#hold(id).catch((e: unknown) => {
            throw innerMapError(id, `map ${mapId} (${mapTypeName(grant.spec.map_type) ?? grant.spec.map_type})`, e);
          }),
        );
      }
      leased = LeasedMap.host(mapId, grant, inbox, this.arena, this.cpus, { ...this.mapPorts(mapId), maps: this.#innerMaps });
    } catch (e) {
      inbox.close();
      await this.port.release(mapId, { epoch: grant.epoch, image: grant.image, frozen: grant.frozen }).catch((r: unknown) => this.#failed(mapId, 'giving back', r));
      throw e;
    } finally {
      for (const m of inner) this.#drop(m.id);
    }
    this.#maps.set(mapId, leased);
    this.#serve(leased);
    return leased;
  }

  #serve(leased: LeasedMap): void {
    leased.inbox.serve(leased.hosted, () => this.#checkpoint(leased), isMapOfMaps(leased.hosted.map.spec.map_type) ? this.#innerHolds : undefined);
  }

  /** Drops one hold on map `mapId`; the last one sends it home. */
  #drop(mapId: number): void {
    const leased = this.#maps.get(mapId);
    if (!leased || --leased.users > 0) return;
    this.#maps.delete(mapId);
    leased.inbox.readOnly();
    const done = leased
      .finally(async () => {
        if (!leased.lost) await this.port.release(mapId, leased.contents());
      })
      .catch((e: unknown) => this.#failed(mapId, 'releasing', e))
      .finally(() => {
        leased.inbox.close();
        // A map of maps lets go of its inner maps here, once the maps-store has its slots.
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
    // A restarted maps-store that re-registered maps may have dropped the slots naming them from the
    // maps of maps it restored: send those again too.
    if (checkpoint.length > 0) for (const l of this.#maps.values()) if (isMapOfMaps(l.hosted.map.spec.map_type)) l.unsent();
    const ours = new Map(leases.map((l) => [l.map_id, l.epoch]));
    for (const leased of asked) {
      if (!leased.lost && ours.get(leased.id) !== leased.epoch) this.#lose(leased, 'the maps-store no longer counts it as ours');
    }
    const lost = [...this.#maps.values()].filter((l) => l.lost && !l.lostForGood);
    await Promise.all(lost.map((l) => this.#retake(l).catch((e: unknown) => this.#failed(l.id, 'taking back', e))));
    await Promise.all([...this.#maps.values()].map((l) => this.#checkpoint(l).catch((e: unknown) => this.#failed(l.id, 'checkpointing', e))));
  }

  /**
   * Sends every map home (shutdown); resolves once all releases are done. Maps of maps go first:
   * the inner maps only they held follow once they let go of them, then the rest.
   */
  async close(): Promise<void> {
    for (const ofMaps of [true, false]) {
      for (const leased of [...this.#maps.values()]) {
        if (isMapOfMaps(leased.hosted.map.spec.map_type) !== ofMaps || this.#maps.get(leased.id) !== leased) continue;
        leased.users = 1;
        this.#drop(leased.id);
      }
      await this.settled();
    }
  }

  /** Resolves once every release under way is done (and the releases those cause: inner maps). */
  async settled(): Promise<void> {
    while (this.#releasing.size > 0) await Promise.all(this.#releasing.values());
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
    this.#serve(leased);
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

/**
 * Why an inner map could not be held, as Linux answers a bad inner map fd: EBADF when the id
 * names no map; EBUSY, naming the holder, when another kernel has it (a map lives in one kernel);
 * other errors as they came, prefixed with `what` and the id.
 */
function innerMapError(id: number, what: string, e: unknown): unknown {
  if (!(e instanceof BpfError)) return e;
  if (e.code === 'EBADF') return new BpfError('EBADF', `${what}: no map with id ${id}`, { cause: e });
  if (e.code === 'EBUSY') return new BpfError('EBUSY', `${what}: inner map ${id} is in use by another kernel (${e.message})`, { cause: e });
  return new BpfError(e.code, `${what}: inner map ${id}: ${e.message}`, { cause: e });
}
