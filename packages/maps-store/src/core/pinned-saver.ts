import type { MapDirectory } from './directory.js';
import type { ObjectPinsRecord, SnapshotStore } from './snapshot.js';

/**
 * Keeps the pin namespace durable. `persist(id)` after every change a client made to map `id`
 * resolves once a snapshot with that change is stored (the service replies only then, so an
 * acknowledged write survives a SIGKILL); `persistObject(kind, id)` does the same for the pins of
 * a program or link of the kernel-sim (the objects themselves live in the kernel). Saves of one
 * object run one after another and each reads the state as it is when it runs, so the newest
 * state is always written last; an object with no pin left has its record removed.
 */
export class PinnedMapSaver {
  readonly #queues = new Map<string, Promise<void>>();
  /** Objects with a stored record (to remove it when their last pin goes): `map.1`, `prog.3`. */
  readonly #stored = new Set<string>();

  constructor(
    private readonly directory: MapDirectory,
    private readonly store: SnapshotStore,
  ) {}

  /** Brings back every stored map and every stored pin of a program or link; returns how many maps. */
  async restore(): Promise<number> {
    const snapshots = await this.store.loadAll();
    this.directory.restore(snapshots);
    for (const s of snapshots) this.#stored.add(`map.${s.map_id}`);
    for (const record of await this.store.loadObjectPins()) {
      for (const path of record.pins) this.directory.pins.add(path, { kind: record.kind, id: record.id, bootId: record.boot_id });
      this.directory.pinOwners.restore(record.pin_owners);
      this.#stored.add(`${record.kind}.${record.id}`);
    }
    return snapshots.length;
  }

  persist(id: number): Promise<void> {
    return this.#queue(
      `map.${id}`,
      () => this.directory.pinsOf(id).length > 0,
      async (pinned) => (pinned ? this.store.save(this.directory.snapshot(id)) : this.store.remove(id)),
    );
  }

  persistObject(kind: 'prog' | 'link', id: number): Promise<void> {
    return this.#queue(
      `${kind}.${id}`,
      () => this.#objectPins(kind, id) !== undefined,
      async (pinned) => {
        const record = this.#objectPins(kind, id);
        return pinned && record ? this.store.saveObjectPins(record) : this.store.removeObjectPins(kind, id);
      },
    );
  }

  /** The pins of a program or link as stored; undefined when it has none. */
  #objectPins(kind: 'prog' | 'link', id: number): ObjectPinsRecord | undefined {
    const pins = this.directory.pins.list().filter((p) => p.target.kind === kind && p.target.id === id);
    const first = pins[0]?.target;
    if (!first || first.kind === 'map') return undefined;
    const paths = pins.map((p) => p.path);
    const owners = this.directory.pinOwners.ownersOf(paths);
    return { kind, id, boot_id: first.bootId, pins: paths, ...(owners && { pin_owners: owners }) };
  }

  /** Runs `save` (told whether the object is pinned when it runs) after the object's earlier saves; nothing for an object never stored and not pinned now. */
  #queue(key: string, pinned: () => boolean, save: (pinned: boolean) => Promise<void>): Promise<void> {
    if (!pinned() && !this.#stored.has(key)) return Promise.resolve();
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        if (pinned()) {
          await save(true);
          this.#stored.add(key);
        } else if (this.#stored.delete(key)) {
          await save(false);
        }
      });
    this.#queues.set(key, next);
    return next;
  }
}
