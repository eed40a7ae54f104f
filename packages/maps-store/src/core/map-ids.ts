import type { MapDirectory } from './directory.js';
import type { SnapshotStore } from './snapshot.js';

/** Where the map id high-water mark is kept: the snapshot store (JetStream KV or files). */
export type IdMarkStore = Pick<SnapshotStore, 'saveIdMark' | 'loadIdMark'>;

export interface MapIdOptions {
  /** How many ids one stored mark reserves ahead (default 1024): one store write per block of creates. */
  readonly block?: number;
  /** How long after `restore` an unknown id handed out before the restart may still be leased by a kernel that has not re-registered it (ms; default 10 000, the lease TTL). */
  readonly graceMs?: number;
  /** The clock (default Date.now). */
  readonly now?: () => number;
}

/**
 * Map ids are never reused, across restarts too (Linux never hands out the id of a live map). Only
 * pinned maps are restored after a maps-store restart, but an unpinned map a kernel leases lives
 * on: its id must not go to the next map_create. So a high-water mark is stored before any id
 * below it is handed out: `allocate(create)` runs the create once the directory's next id is below
 * the stored mark, extending the mark by a block when it is not (one write per block). After a
 * restart, `restore()` makes ids continue from the stored mark.
 */
export class MapIdReservation {
  readonly #block: number;
  readonly #graceMs: number;
  readonly #now: () => number;
  /** Every id below this is durably reserved. */
  #reserved = 0;
  #extending: Promise<void> | undefined;
  /** Ids below this were handed out before the restart, maybe to maps nobody restored. */
  #restoredMark = 0;
  #restoredAt = -Infinity;

  constructor(
    private readonly directory: MapDirectory,
    private readonly store: IdMarkStore,
    options: MapIdOptions = {},
  ) {
    this.#block = options.block ?? 1024;
    this.#graceMs = options.graceMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    if (!Number.isInteger(this.#block) || this.#block < 1) throw new RangeError(`map ids: block must be a whole number from 1, got ${this.#block}`);
  }

  /** Loads the stored mark (after the snapshots are restored): later ids continue from it. */
  async restore(): Promise<void> {
    const mark = (await this.store.loadIdMark()) ?? 0;
    this.directory.continueIdsFrom(mark);
    this.#restoredMark = mark;
    this.#reserved = Math.max(this.#reserved, mark);
    this.#restoredAt = this.#now();
  }

  /**
   * Runs `create` (which takes the directory's next id, e.g. MapDirectory.create) once that id is
   * durably reserved, in the same turn as the check, so no other create slips in between; rejects
   * without running it when the store fails.
   */
  async allocate<T>(create: () => T): Promise<T> {
    while (this.directory.nextMapId >= this.#reserved) {
      this.#extending ??= this.#extend().finally(() => {
        this.#extending = undefined;
      });
      await this.#extending;
    }
    return create();
  }

  async #extend(): Promise<void> {
    const mark = this.directory.nextMapId + this.#block;
    await this.store.saveIdMark(mark);
    this.#reserved = Math.max(this.#reserved, mark);
  }

  /**
   * Whether `id` may name a live map this maps-store does not know yet: handed out before the
   * restart, not restored, and the grace time (one lease TTL) for its kernel to re-register it on
   * a lease renewal is not over. The maps-store stays silent on such a map's data commands, so
   * the kernel holding it answers alone.
   */
  mayBeUnannounced(id: number): boolean {
    return id < this.#restoredMark && !this.directory.has(id) && this.#now() < this.#restoredAt + this.#graceMs;
  }
}
