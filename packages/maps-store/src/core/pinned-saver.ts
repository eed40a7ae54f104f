import type { MapDirectory } from './directory.js';
import type { SnapshotStore } from './snapshot.js';

/**
 * Keeps the snapshots of pinned maps current: `persist(id)` after every change a client made to
 * map `id` resolves once a snapshot with that change is stored (the service replies only then,
 * so an acknowledged write survives a SIGKILL). Saves of one map run one after another and each
 * snapshots the map as it is when it runs, so the newest state is always written last.
 */
export class PinnedMapSaver {
  readonly #queues = new Map<number, Promise<void>>();
  /** Maps with a stored snapshot (to remove it when their last pin goes). */
  readonly #stored = new Set<number>();

  constructor(
    private readonly directory: MapDirectory,
    private readonly store: SnapshotStore,
  ) {}

  /** Brings back every stored map; returns how many. */
  async restore(): Promise<number> {
    const snapshots = await this.store.loadAll();
    this.directory.restore(snapshots);
    for (const s of snapshots) this.#stored.add(s.map_id);
    return snapshots.length;
  }

  persist(id: number): Promise<void> {
    const pinned = this.directory.pinsOf(id).length > 0;
    if (!pinned && !this.#stored.has(id)) return Promise.resolve();
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        if (this.directory.pinsOf(id).length > 0) {
          await this.store.save(this.directory.snapshot(id));
          this.#stored.add(id);
        } else if (this.#stored.delete(id)) {
          await this.store.remove(id);
        }
      });
    this.#queues.set(id, next);
    return next;
  }
}
