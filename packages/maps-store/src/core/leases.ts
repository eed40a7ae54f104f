import { BpfError } from '@bpfhive/uapi';
import type { MapRecord } from './records.js';
import type { MapSpec } from './spec.js';

/** Who holds a map now, under which epoch, until when (the clock's ms) unless renewed. */
export interface Lease {
  readonly map_id: number;
  readonly holder: string;
  readonly epoch: number;
  expiresAt: number;
}

/** What a holder receives with a lease: everything to host the map (packages/uapi wire/schemas/lease.ts). */
export interface LeaseGrant {
  readonly map_id: number;
  readonly spec: MapSpec;
  readonly frozen: boolean;
  readonly epoch: number;
  readonly records: MapRecord[];
}

/**
 * The lease table of the map directory (DESIGN §4): which kernel holds which map.
 *
 * - A map has an epoch, counting up with every grant; it survives restarts with the map's snapshot.
 * - grant: EBUSY when another holder has the map; the same holder asking again gets a new epoch
 *   (a kernel that restarted starts over from the last checkpoint).
 * - check: a checkpoint or release must name the current holder and epoch, else ESTALE (the lease
 *   ended, or was granted again since).
 * - renew: a holder's heartbeat extends all its leases by the TTL; expire ends those not renewed
 *   in time.
 */
export class LeaseBook {
  readonly #leases = new Map<number, Lease>();
  readonly #epochs = new Map<number, number>();

  constructor(
    readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(mapId: number): Lease | undefined {
    return this.#leases.get(mapId);
  }

  /** The map's epoch: how many leases it has been granted. */
  epochOf(mapId: number): number {
    return this.#epochs.get(mapId) ?? 0;
  }

  /** Every lease `holder` has. */
  heldBy(holder: string): Lease[] {
    return [...this.#leases.values()].filter((l) => l.holder === holder);
  }

  grant(mapId: number, holder: string): number {
    const current = this.#leases.get(mapId);
    if (current && current.holder !== holder) throw new BpfError('EBUSY', `lease: map ${mapId} is held by ${current.holder} (epoch ${current.epoch})`);
    const epoch = this.epochOf(mapId) + 1;
    this.#epochs.set(mapId, epoch);
    this.#leases.set(mapId, { map_id: mapId, holder, epoch, expiresAt: this.now() + this.ttlMs });
    return epoch;
  }

  check(mapId: number, holder: string, epoch: number): Lease {
    const lease = this.#leases.get(mapId);
    if (!lease || lease.holder !== holder || lease.epoch !== epoch) {
      const now = lease ? `held by ${lease.holder} under epoch ${lease.epoch}` : 'not leased';
      throw new BpfError('ESTALE', `lease: map ${mapId} is ${now}, not by ${holder} under epoch ${epoch}`);
    }
    return lease;
  }

  /** Extends every lease of `holder`; returns them. */
  renew(holder: string): Lease[] {
    const held = this.heldBy(holder);
    const until = this.now() + this.ttlMs;
    for (const lease of held) lease.expiresAt = until;
    return held;
  }

  end(mapId: number): void {
    this.#leases.delete(mapId);
  }

  /** Ends and returns every lease whose time ran out. */
  expire(): Lease[] {
    const now = this.now();
    const expired = [...this.#leases.values()].filter((l) => l.expiresAt <= now);
    for (const lease of expired) this.#leases.delete(lease.map_id);
    return expired;
  }

  /** A lease and epoch from a snapshot; the holder gets a full TTL to renew after a restart. */
  restore(mapId: number, epoch: number, holder: string | undefined): void {
    this.#epochs.set(mapId, epoch);
    if (holder !== undefined) this.#leases.set(mapId, { map_id: mapId, holder, epoch, expiresAt: this.now() + this.ttlMs });
  }
}
