import type { MapAccessRecord } from './map-access.js';
import type { MapSpec } from './spec.js';

/**
 * A pinned map, as the maps-store keeps it across restarts: its id, spec, state, the paths it is
 * pinned at, its records (records.ts: for most types every element as it reads on the syscall
 * side) as base64 key and value, and its lease state. Plain JSON, the same in every store. The
 * spec keeps the value's special fields found at map_create (MapSpec.value_fields), so a restored
 * map needs no BTF object.
 */
export interface MapSnapshot {
  readonly map_id: number;
  readonly spec: MapSpec;
  readonly frozen: boolean;
  readonly pins: readonly string[];
  readonly elements: readonly (readonly [string, string])[];
  /** Leases granted so far (leases.ts); absent in snapshots from before leases. */
  readonly epoch?: number;
  /** The kernel holding the map when the snapshot was taken. */
  readonly lease?: { readonly holder: string };
  /**
   * Who the map is charged to and who may name it by id (map-access.ts), so a restart charges it
   * again and keeps its owner checks; absent in snapshots from before owners were kept (the map
   * is then charged to no one and CAP_SYS_ADMIN's alone).
   */
  readonly access?: MapAccessRecord;
  /** The account that made each pin (path → account; PinOwners); absent for pins of unknown maker (CAP_SYS_ADMIN's). */
  readonly pin_owners?: Readonly<Record<string, string>>;
}

/**
 * The pins of one program or link of the kernel-sim, as the maps-store keeps them across its
 * restarts: the object, the kernel boot holding the pin references, the paths. The object itself
 * lives in the kernel; after the kernel's restart the record names a boot that is gone.
 */
export interface ObjectPinsRecord {
  readonly kind: 'prog' | 'link';
  readonly id: number;
  readonly boot_id: string;
  readonly pins: readonly string[];
  /** The account that made each pin (path → account; PinOwners); absent for pins of unknown maker. */
  readonly pin_owners?: Readonly<Record<string, string>>;
}

/** Where snapshots live (JetStream KV, a directory of files…): the core's port for durability. */
export interface SnapshotStore {
  /** A name for logs, e.g. "JetStream KV bpfhive_maps". */
  readonly description: string;
  save(snapshot: MapSnapshot): Promise<void>;
  remove(mapId: number): Promise<void>;
  loadAll(): Promise<MapSnapshot[]>;
  /** Stores the pins of a program or link (replacing what was stored for it). */
  saveObjectPins(record: ObjectPinsRecord): Promise<void>;
  removeObjectPins(kind: 'prog' | 'link', id: number): Promise<void>;
  loadObjectPins(): Promise<ObjectPinsRecord[]>;
  /** Stores the map id high-water mark: no id at or above it was ever handed out (map-ids.ts). */
  saveIdMark(mark: number): Promise<void>;
  /** The stored high-water mark; undefined when none was ever stored. */
  loadIdMark(): Promise<number | undefined>;
}
