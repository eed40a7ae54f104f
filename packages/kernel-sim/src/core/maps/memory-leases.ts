import { type HostedMap, type MapDirectory, decodeImage, encodeImage, mapCommands } from '@bpfhive/maps-store';
import type { HeldMap, InnerMapHolds, LeaseContents, LeaseGrant, MapCommandInbox, MapLeasePort, RenewedLeases } from './lease-port.js';

/**
 * A map's data commands as a MapLeasePort's `open` hands them out, without a bus: its state as the
 * provider drives it (waiting, serving, read-only, closed), and user space commands run the way
 * the NATS inbox runs them (service/map-inbox.ts) — an update of a map of maps holds the inner
 * map it names first and lets go after the reply.
 */
export class MemoryInbox implements MapCommandInbox {
  state: 'waiting' | 'serving' | 'read-only' | 'closed' = 'waiting';
  hosted?: HostedMap;
  changed?: () => Promise<void>;
  inner?: InnerMapHolds;

  serve(hosted: HostedMap, changed: () => Promise<void>, inner?: InnerMapHolds): void {
    [this.state, this.hosted, this.changed, this.inner] = ['serving', hosted, changed, inner];
  }
  readOnly(): void {
    this.state = 'read-only';
  }
  close(): void {
    this.state = 'closed';
  }

  /** BPF_MAP_UPDATE_ELEM from user space, answered here: resolves when its reply would go out, rejects with its error. */
  async update(key: Uint8Array, value: Uint8Array, flags = 0): Promise<void> {
    const hosted = this.#serving();
    const drop = this.inner && value.length === 4 ? await this.inner.hold(new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true)) : undefined;
    try {
      mapCommands.updateElem(hosted, key, value, flags);
      await this.changed!();
    } finally {
      drop?.();
    }
  }

  /** BPF_MAP_DELETE_ELEM from user space. */
  async delete(key: Uint8Array): Promise<void> {
    mapCommands.deleteElem(this.#serving(), key);
    await this.changed!();
  }

  /** BPF_MAP_LOOKUP_ELEM from user space (also while the map goes home). */
  lookup(key: Uint8Array): Uint8Array {
    if (this.state !== 'serving' && this.state !== 'read-only') throw new Error(`inbox ${this.state}`);
    return mapCommands.lookupElem(this.hosted!, key);
  }

  #serving(): HostedMap {
    if (this.state !== 'serving') throw new Error(`inbox ${this.state}`);
    return this.hosted!;
  }
}

/**
 * The maps-store's side of the lease protocol in memory: a MapDirectory (on its own arena)
 * answers it as the maps-store's lease endpoints do, under holder `holder`. `calls` records the
 * protocol steps (`lease 3`, `checkpoint 3`, `release 3`); `inboxes` the last inbox opened per map.
 */
export class DirectoryLeases implements MapLeasePort {
  readonly inboxes = new Map<number, MemoryInbox>();
  readonly calls: string[] = [];

  /** The maps-store's directory; a test replaces it to restart the maps-store. */
  constructor(
    public directory: MapDirectory,
    readonly holder = 'kernel-sim-test',
  ) {}

  open(mapId: number): Promise<MapCommandInbox> {
    const inbox = new MemoryInbox();
    this.inboxes.set(mapId, inbox);
    return Promise.resolve(inbox);
  }

  lease(mapId: number): Promise<LeaseGrant> {
    this.calls.push(`lease ${mapId}`);
    return this.#run(() => {
      const g = this.directory.grantLease(mapId, this.holder);
      return { spec: g.spec, frozen: g.frozen, epoch: g.epoch, image: encodeImage(g.records), ttlMs: 1000 };
    });
  }

  checkpoint(mapId: number, c: LeaseContents): Promise<void> {
    this.calls.push(`checkpoint ${mapId}`);
    return this.#run(() => void this.directory.checkpointLease(mapId, this.holder, c.epoch, decodeImage(c.image), c.frozen));
  }

  release(mapId: number, c: LeaseContents): Promise<void> {
    this.calls.push(`release ${mapId}`);
    return this.#run(() => void this.directory.releaseLease(mapId, this.holder, c.epoch, decodeImage(c.image), c.frozen));
  }

  renew(held: readonly HeldMap[]): Promise<RenewedLeases> {
    return this.#run(() => {
      const checkpoint = held.filter((m) => this.directory.adoptLeased(m.map_id, m.spec, m.frozen, this.holder, m.epoch)).map((m) => m.map_id);
      return { leases: this.directory.leases.renew(this.holder).map((l) => ({ map_id: l.map_id, epoch: l.epoch })), ttlMs: 1000, checkpoint };
    });
  }

  /** A step's result, or its BpfError as a rejection, a turn later (as a reply over a bus). */
  #run<T>(step: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(step());
        } catch (e) {
          reject(e as Error);
        }
      });
    });
  }
}
