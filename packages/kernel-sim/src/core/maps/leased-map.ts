import { type Arena, type BpfMap, type HostedMap, type MapPorts, createMap, decodeImage, encodeImage, freeMap, loadRecords, mapRecords } from '@bpfhive/maps-store';
import { BpfError, MapType, mapTypeName } from '@bpfhive/uapi';
import type { LeaseContents, LeaseGrant, MapCommandInbox } from './lease-port.js';

/** Map types whose values name other maps (ARRAY_OF_MAPS, HASH_OF_MAPS): their inner maps come along. */
const MAP_IN_MAP = new Set<number>([MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS]);

/** Whether maps of type `mapType` name inner maps in their values. */
export const isMapOfMaps = (mapType: number): boolean => MAP_IN_MAP.has(mapType);

/**
 * The inner map ids a lease's image names, each once, in record order: for a map of maps the
 * u32 value of every record (an inner map id, as a syscall lookup gives it); none for other types.
 */
export function innerMapIds(grant: LeaseGrant): number[] {
  if (!isMapOfMaps(grant.spec.map_type)) return [];
  const ids = new Set<number>();
  for (const [, value] of decodeImage(grant.image)) if (value.length === 4) ids.add(new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true));
  return [...ids];
}

/**
 * A map this kernel holds under a lease: the engine in the kernel's arena (built from the lease's
 * spec and image, under the map's own id), the epoch, the inbox answering its data commands, and
 * the work sent back to the maps-store — checkpoints and the final release, one at a time in
 * order, a checkpoint asked for while another waits joining it.
 */
export class LeasedMap {
  readonly hosted: HostedMap;
  /** Set once the maps-store stopped counting the lease as ours: nothing more is sent back (until retake). */
  lost = false;
  /** Set once a lost lease cannot be taken back (another holder had the map since, or it is gone). */
  lostForGood = false;
  /**
   * Who holds the map here: the loaded programs (one hold for all of them: KernelMaps counts
   * them) and every slot of a map of maps hosted here that names it. At 0 the map goes home.
   */
  users = 0;
  #epoch: number;
  #inbox: MapCommandInbox;
  #sent: LeaseContents;
  #tail: Promise<void> = Promise.resolve();
  #waiting: Promise<void> | undefined;

  private constructor(
    id: number,
    map: BpfMap,
    frozen: boolean,
    epoch: number,
    inbox: MapCommandInbox,
    image: Uint8Array,
  ) {
    this.hosted = { id, map, frozen };
    this.#epoch = epoch;
    this.#inbox = inbox;
    this.#sent = { epoch, image, frozen };
  }

  /**
   * Builds map `id` from a grant. A map of maps needs `ports.maps` to hold every inner map its
   * image names (innerMapIds) already. EINVAL when a record of the image does not load (e.g.
   * per-CPU values for another number of CPUs than this kernel has, an inner map not hosted
   * here) — the map is then not half-built: nothing is kept, inner maps taken are let go.
   */
  static host(id: number, grant: LeaseGrant, inbox: MapCommandInbox, arena: Arena, cpus: number, ports: MapPorts = {}): LeasedMap {
    const type = mapTypeName(grant.spec.map_type) ?? String(grant.spec.map_type);
    const map = createMap(grant.spec, arena, cpus, ports);
    const rejected = loadRecords(map, decodeImage(grant.image));
    if (rejected.length > 0) {
      freeMap(map);
      throw new BpfError('EINVAL', `map ${id} (${type}): ${rejected.length} records of its lease did not load, the first: ${rejected[0]!.error.message}`);
    }
    return new LeasedMap(id, map, grant.frozen, grant.epoch, inbox, grant.image);
  }

  get id(): number {
    return this.hosted.id;
  }

  /** The lease this kernel holds the map under. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Where the map's data commands arrive. */
  get inbox(): MapCommandInbox {
    return this.#inbox;
  }

  /**
   * Holds the map again after losing its lease, under the new lease `grant` with commands from
   * `inbox`; the engine and what programs wrote to it stay. The maps-store has the grant's image,
   * so the next checkpoint sends this kernel's contents when they differ.
   */
  retake(grant: LeaseGrant, inbox: MapCommandInbox): void {
    this.#epoch = grant.epoch;
    this.#inbox = inbox;
    this.#sent = { epoch: grant.epoch, image: grant.image, frozen: grant.frozen };
    this.hosted.frozen ||= grant.frozen;
    this.lost = false;
  }

  /** The contents as they are now, to hand back. */
  contents(): LeaseContents {
    return { epoch: this.epoch, image: encodeImage(mapRecords(this.hosted.map)), frozen: this.hosted.frozen };
  }

  /**
   * Sends the contents with `send` unless they equal what was last sent (or granted); runs after
   * everything sent before, and joins a checkpoint that has not started yet.
   */
  checkpoint(send: (contents: LeaseContents) => Promise<void>): Promise<void> {
    if (this.#waiting) return this.#waiting;
    const run = this.#tail.then(async () => {
      this.#waiting = undefined;
      if (this.lost) return;
      const now = this.contents();
      if (now.frozen === this.#sent.frozen && Buffer.from(now.image).equals(this.#sent.image)) return;
      await send(now);
      this.#sent = now;
    });
    this.#waiting = run;
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** The maps-store lacks the contents (it re-registered the map after a restart): the next checkpoint sends them, changed or not. */
  unsent(): void {
    this.#sent = { ...this.#sent, image: new Uint8Array(0) };
  }

  /** Runs `last` after every checkpoint under way: the release. */
  finally(last: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(last);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Gives the engine's storage back to the arena (after the release: no program uses it). */
  free(): void {
    freeMap(this.hosted.map);
  }
}

