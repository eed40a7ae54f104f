import { BpfError, MapType, mapTypeName, parseMapType } from '@bpfhive/uapi';
import type { Arena } from './arena.js';
import { createMap, checkMapSpec } from './create.js';
import { freeMap } from './free-map.js';
import { MapAccess, type MapAccessRecord } from './map-access.js';
import { innerMapSpec } from './engines/map-in-map.js';
import { type Lease, LeaseBook, type LeaseGrant } from './leases.js';
import type { BpfMap } from './map.js';
import * as commands from './map-commands.js';
import type { BatchPage, HostedMap } from './map-commands.js';
import { PinNamespace, type PinTarget } from './pin-namespace.js';
import { PinOwners } from './pin-owners.js';
import type { MapPorts } from './ports.js';
import { type MapRecord, type RejectedRecord, clearMap, loadRecords, mapRecords } from './records.js';
import type { MapSnapshot } from './snapshot.js';
import { type MapSpec, checkMapBtfIds, mapBtfIdsOf } from './spec.js';
import { type MapBtfPort, checkMapBtf } from './map-btf.js';

/** What BPF_OBJ_GET_INFO_BY_FD tells about a map. */
export interface MapInfo {
  readonly map_id: number;
  readonly map_type: number;
  readonly type_name: string;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags: number;
  readonly map_extra: number;
  readonly name: string;
  readonly frozen: boolean;
  /** The map's BTF object and types (0: none), as bpf_map_info reports them. */
  readonly btf_id: number;
  readonly btf_key_type_id: number;
  readonly btf_value_type_id: number;
}

interface Entry extends HostedMap {
  readonly map: BpfMap;
  /** The creator's handle is open until close(); a restored map keeps one too (nothing is freed behind a restart's back). */
  open: boolean;
  /** How many slots of maps of maps hold it. */
  innerRefs: number;
}

/** A request to create a map: the bpf_attr fields; map_type as a number or a bpftool name. */
export interface CreateRequest {
  readonly map_type: number | string;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags?: number;
  readonly map_name?: string;
  readonly map_extra?: number;
  /** ARRAY_OF_MAPS / HASH_OF_MAPS: the map every inner map must look like (attr->inner_map_fd). */
  readonly inner_map_id?: number;
  /** attr->btf_fd as a kernel-sim BTF object id, and the key and value types in it (spec.ts MapSpec.btf_id). */
  readonly btf_id?: number;
  readonly btf_key_type_id?: number;
  readonly btf_value_type_id?: number;
  /**
   * Where btf_id is looked up for this request (the maps service's objects fetched for the caller,
   * service/map-btf-fetch.ts); absent: the directory's `btf` port (DirectoryOptions).
   */
  readonly btf?: MapBtfPort;
}

export interface DirectoryOptions {
  /** CPUs per-CPU maps keep values for (default 1). */
  readonly cpus?: number;
  /** How long a lease lasts without a renewal, in ms (default 10 000). */
  readonly leaseTtlMs?: number;
  /** The clock leases expire by (default Date.now). */
  readonly now?: () => number;
  /**
   * The kernel whose BTF objects map_create's btf_id names (map-btf.ts), for a directory in the
   * kernel's process (the kernel-sim's embedded mode); absent: only a request's own port, else a
   * btf_id is EBADF.
   */
  readonly btf?: MapBtfPort;
}

export type { BatchPage };

const MAP_IN_MAP = new Set<number>([MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS]);

/**
 * The maps-store's core: the maps it hosts by id, the bpffs-like pin namespace, the syscall
 * commands (map-commands.ts) with Linux's rules, and leases (leases.ts): a kernel that loads a
 * program using a map takes the map away and gives it back. Ids are never reused; pins keep a
 * map alive. No NATS here: the service adapter decodes requests and calls these methods; every
 * error is a BpfError with the errno Linux returns.
 *
 * While a map is leased its engine here holds the contents of the last checkpoint (or of the
 * grant): what comes back into service if the holder is lost, and what snapshots of a pinned
 * map store.
 */
export class MapDirectory {
  readonly #maps = new Map<number, Entry>();
  /** The pin namespace: maps, and the programs and links of the kernel-sim (pin-namespace.ts). */
  readonly pins = new PinNamespace();
  /** Who made each pin (bpffs ownership: pin-owners.ts); kept in snapshots. */
  readonly pinOwners = new PinOwners();
  /** Who each map is charged to and who may name it by id (map-access.ts); kept in snapshots and sent with leases. */
  readonly access = new MapAccess();
  readonly #cpus: number;
  readonly #ports: MapPorts;
  readonly #btf: MapBtfPort | undefined;
  readonly leases: LeaseBook;
  readonly #freeListeners: ((id: number) => void)[] = [];
  /** While a map's contents are replaced: inner maps its old slots let go of, freed only if the new slots do not name them. */
  #freeLater: Set<Entry> | undefined;
  #nextId = 1;

  constructor(
    private readonly arena: Arena,
    options: DirectoryOptions | number = {},
  ) {
    const o = typeof options === 'number' ? { cpus: options } : options;
    this.#cpus = o.cpus ?? 1;
    this.#btf = o.btf;
    this.leases = new LeaseBook(o.leaseTtlMs ?? 10_000, o.now ?? Date.now);
    // Inner maps of a map of maps are maps of this directory; the maps-store can see no other kernel object.
    this.#ports = {
      maps: {
        acquire: (id) => {
          const entry = this.#maps.get(id);
          if (entry) entry.innerRefs++;
          return entry?.map;
        },
        release: (id) => {
          const entry = this.#maps.get(id);
          if (entry && --entry.innerRefs === 0) {
            if (this.#freeLater) this.#freeLater.add(entry);
            else this.#freeIfUnused(entry);
          }
        },
      },
    };
  }

  create(request: CreateRequest): number {
    const map_type = parseMapType(request.map_type);
    if (map_type === undefined) throw new BpfError('EINVAL', `map create: unknown map_type ${JSON.stringify(request.map_type)}`);
    let spec: MapSpec = {
      map_type,
      key_size: request.key_size,
      value_size: request.value_size,
      max_entries: request.max_entries,
      map_flags: request.map_flags ?? 0,
      ...(request.map_name !== undefined && { map_name: request.map_name }),
      ...(request.map_extra !== undefined && request.map_extra !== 0 && { map_extra: request.map_extra }),
    };
    checkMapBtfIds({ ...spec, ...request, map_type });
    spec = { ...spec, ...mapBtfIdsOf(request) };
    // Linux allocates the map (the type's checks) before it looks at the BTF (map_check_btf).
    checkMapSpec(spec);
    const valueFields = checkMapBtf(spec, request.btf ?? this.#btf);
    if (valueFields) spec = { ...spec, value_fields: valueFields };
    if (MAP_IN_MAP.has(map_type)) {
      const inner = request.inner_map_id === undefined ? undefined : this.#maps.get(request.inner_map_id);
      if (!inner) throw new BpfError('EBADF', `map create: inner_map_id ${request.inner_map_id ?? '(none)'} names no map; give the map every inner map will look like`);
      spec = { ...spec, inner_map: innerMapSpec(inner.map) };
    }
    const map = createMap(spec, this.arena, this.#cpus, this.#ports);
    const id = this.#nextId++;
    this.#maps.set(id, { id, map, frozen: false, open: true, innerRefs: 0 });
    return id;
  }

  /** The id the next create takes. */
  get nextMapId(): number {
    return this.#nextId;
  }

  /** Later creates take ids from `next` up (never lower than now): a stored high-water mark after a restart (map-ids.ts). */
  continueIdsFrom(next: number): void {
    this.#nextId = Math.max(this.#nextId, next);
  }

  /** The ids of every map here, in no particular order. */
  mapIds(): number[] {
    return [...this.#maps.keys()];
  }

  /** Whether map `id` exists here. */
  has(id: number): boolean {
    return this.#maps.has(id);
  }

  /**
   * A map that kernel `holder` leases under `epoch` and this directory does not know (a restart
   * lost it: only pinned maps are restored) is registered again with its spec, leased as before;
   * its contents here are empty until the holder's next checkpoint or release. A map known here is
   * left alone (false). Like a restored map it keeps a creator's handle, and the access the
   * holder was given with the lease (its owner is charged again: service/map-limits.ts).
   */
  adoptLeased(id: number, spec: MapSpec, frozen: boolean, holder: string, epoch: number, access?: MapAccessRecord): boolean {
    if (this.#maps.has(id)) return false;
    this.#maps.set(id, { id, map: createMap(spec, this.arena, this.#cpus, this.#ports), frozen, open: true, innerRefs: 0 });
    if (access) this.access.restore(id, access);
    this.leases.restore(id, epoch, holder);
    this.continueIdsFrom(id + 1);
    return true;
  }

  /**
   * Drops the creator's handle on map `id` (close(2) of its fd); ENOENT when there is no such
   * map or its handle is closed already. The map is freed at once unless something else holds it:
   * a pin, a lease (a kernel's programs use it; it is freed when it comes home) or a slot of a map
   * of maps (freed when the slot lets go).
   */
  close(id: number): void {
    const entry = this.#entry(id);
    if (!entry.open) throw new BpfError('ENOENT', `map ${id}: its handle is closed already`);
    entry.open = false;
    this.#freeIfUnused(entry);
  }

  /** Calls `listener` with the id of every map freed from now on (to uncharge it, see service/map-limits.ts). */
  onFree(listener: (id: number) => void): void {
    this.#freeListeners.push(listener);
  }

  /** Frees a map nothing holds any more: no handle, pin, lease or map of maps. */
  #freeIfUnused(entry: Entry): void {
    if (entry.open || entry.innerRefs > 0 || this.isLeased(entry.id) || this.pinsOf(entry.id).length > 0 || !this.#maps.has(entry.id)) return;
    this.#maps.delete(entry.id);
    this.access.forget(entry.id);
    freeMap(entry.map);
    // No program runs in the maps-store: what was just freed may be reused at once.
    this.arena.quiescent();
    for (const listener of this.#freeListeners) listener(entry.id);
  }

  /** The map with this id, or ENOENT. */
  get(id: number): BpfMap {
    return this.#entry(id).map;
  }

  /** The map with this id as the map commands take it (map-commands.ts), or ENOENT. */
  hosted(id: number): HostedMap {
    return this.#entry(id);
  }

  #entry(id: number): Entry {
    const entry = this.#maps.get(id);
    if (!entry) throw new BpfError('ENOENT', `map ${id}: no such map`);
    return entry;
  }

  lookup(id: number, key: Uint8Array, value?: Uint8Array): Uint8Array {
    return commands.lookupElem(this.#entry(id), key, value);
  }

  update(id: number, key: Uint8Array, value: Uint8Array, flags: number): void {
    commands.updateElem(this.#entry(id), key, value, flags);
  }

  delete(id: number, key: Uint8Array): void {
    commands.deleteElem(this.#entry(id), key);
  }

  getNextKey(id: number, key: Uint8Array | undefined): Uint8Array {
    return commands.getNextKey(this.#entry(id), key);
  }

  lookupAndDelete(id: number, key: Uint8Array, flags = 0): Uint8Array {
    return commands.lookupAndDeleteElem(this.#entry(id), key, flags);
  }

  lookupBatch(id: number, inBatch: Uint8Array | undefined, count: number): BatchPage {
    return commands.lookupBatch(this.#entry(id), inBatch, count);
  }

  updateBatch(id: number, keys: readonly Uint8Array[], values: readonly Uint8Array[], flags: number): number {
    return commands.updateBatch(this.#entry(id), keys, values, flags);
  }

  deleteBatch(id: number, keys: readonly Uint8Array[]): number {
    return commands.deleteBatch(this.#entry(id), keys);
  }

  freeze(id: number): void {
    commands.freezeMap(this.#entry(id));
  }

  info(id: number): MapInfo {
    const { map, frozen } = this.#entry(id);
    const s = map.spec;
    return {
      map_id: id,
      map_type: s.map_type,
      type_name: mapTypeName(s.map_type) ?? String(s.map_type),
      key_size: s.key_size,
      value_size: s.value_size,
      max_entries: s.max_entries,
      map_flags: s.map_flags,
      map_extra: s.map_extra ?? 0,
      name: s.map_name ?? '',
      frozen,
      btf_id: s.btf_id ?? 0,
      btf_key_type_id: s.btf_key_type_id ?? 0,
      btf_value_type_id: s.btf_value_type_id ?? 0,
    };
  }

  /** BPF_MAP_GET_NEXT_ID: the smallest id above `start`, or ENOENT. */
  nextId(start: number): number {
    let next: number | undefined;
    for (const id of this.#maps.keys()) if (id > start && (next === undefined || id < next)) next = id;
    if (next === undefined) throw new BpfError('ENOENT', `map_get_next_id: no map id above ${start}`);
    return next;
  }

  /** BPF_OBJ_PIN of a map: a bpffs-like absolute path; EEXIST when taken, ENOENT for no such map. */
  pin(path: string, id: number): void {
    this.#entry(id);
    this.pins.add(path, { kind: 'map', id });
  }

  /** The paths map `id` is pinned at. */
  pinsOf(id: number): string[] {
    return this.pins.pathsOf('map', id);
  }

  /** Removes the pin at `path` (unlink on bpffs): what it named. A map nothing else holds is freed. ENOENT when there is no pin. */
  unpin(path: string): PinTarget {
    const target = this.pins.remove(path);
    this.pinOwners.forget(path);
    const entry = target.kind === 'map' ? this.#maps.get(target.id) : undefined;
    if (entry) this.#freeIfUnused(entry);
    return target;
  }

  // Durability: snapshots of pinned maps (snapshot.ts, pinned-saver.ts).

  /** Everything needed to bring map `id` back after a restart (see MapSnapshot). */
  snapshot(id: number): MapSnapshot {
    const { map, frozen } = this.#entry(id);
    const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
    const lease = this.leases.get(id);
    const access = this.access.recordOf(id);
    const pins = this.pinsOf(id);
    const pinOwners = this.pinOwners.ownersOf(pins);
    return {
      map_id: id,
      spec: map.spec,
      frozen,
      pins,
      elements: mapRecords(map).map(([k, v]) => [b64(k), b64(v)] as const),
      epoch: this.leases.epochOf(id),
      ...(lease && { lease: { holder: lease.holder } }),
      ...(access && { access }),
      ...(pinOwners && { pin_owners: pinOwners }),
    };
  }

  /**
   * Brings maps back under their old ids, pins and leases; later ids continue above them. All maps
   * are created before any is filled, so a map of maps finds its inner maps; a record that no
   * longer loads (an inner map that was not kept) is dropped.
   */
  restore(snapshots: readonly MapSnapshot[]): void {
    for (const s of snapshots) if (this.#maps.has(s.map_id)) throw new BpfError('EEXIST', `restore: map ${s.map_id} exists already`);
    for (const s of snapshots) {
      this.#maps.set(s.map_id, { id: s.map_id, map: createMap(s.spec, this.arena, this.#cpus, this.#ports), frozen: s.frozen, open: true, innerRefs: 0 });
      for (const path of s.pins) this.pins.add(path, { kind: 'map', id: s.map_id });
      this.pinOwners.restore(s.pin_owners);
      this.leases.restore(s.map_id, s.epoch ?? 0, s.lease?.holder);
      if (s.access) this.access.restore(s.map_id, s.access);
      this.#nextId = Math.max(this.#nextId, s.map_id + 1);
    }
    for (const s of snapshots) loadRecords(this.#entry(s.map_id).map, s.elements.map(([k, v]) => [Buffer.from(k, 'base64'), Buffer.from(v, 'base64')] as const));
  }

  // Leases (leases.ts): a kernel takes a map's data away and gives it back.

  /** Whether map `id` is leased: the maps-store does not answer its data commands then. */
  isLeased(id: number): boolean {
    return this.leases.get(id) !== undefined;
  }

  /** Hands map `id` to `holder`: its spec, contents and the new epoch. EBUSY when another holder has it. */
  grantLease(id: number, holder: string): LeaseGrant {
    const entry = this.#entry(id);
    const epoch = this.leases.grant(id, holder);
    return { map_id: id, spec: entry.map.spec, frozen: entry.frozen, epoch, records: mapRecords(entry.map) };
  }

  /**
   * The holder's contents become the map's here (what a restart or a lost holder brings back); the
   * lease goes on. Returns the records the map did not take (see #replaceContents).
   */
  checkpointLease(id: number, holder: string, epoch: number, records: readonly MapRecord[], frozen?: boolean): RejectedRecord[] {
    const entry = this.#entry(id);
    this.leases.check(id, holder, epoch);
    const rejected = this.#replaceContents(entry, records, frozen);
    this.leases.renew(holder);
    return rejected;
  }

  /** The map comes home with the holder's contents; the maps-store serves it again. Returns the records it did not take. */
  releaseLease(id: number, holder: string, epoch: number, records: readonly MapRecord[], frozen?: boolean): RejectedRecord[] {
    const entry = this.#entry(id);
    this.leases.check(id, holder, epoch);
    const rejected = this.#replaceContents(entry, records, frozen);
    this.leases.end(id);
    this.#freeIfUnused(entry);
    return rejected;
  }

  /**
   * The map's contents become `records`. A map of maps' slots may name the same inner maps before
   * and after: one its old slots let go of is freed only when nothing holds it once the new ones
   * are in. Returns the records the map did not take (e.g. an inner map id that names no map).
   */
  #replaceContents(entry: Entry, records: readonly MapRecord[], frozen: boolean | undefined): RejectedRecord[] {
    const freeLater = (this.#freeLater = new Set());
    let rejected: RejectedRecord[];
    try {
      clearMap(entry.map);
      // No program runs in the maps-store: what was just freed may be reused at once.
      this.arena.quiescent();
      rejected = loadRecords(entry.map, records);
    } finally {
      this.#freeLater = undefined;
      for (const inner of freeLater) this.#freeIfUnused(inner);
    }
    if (frozen !== undefined) entry.frozen = frozen;
    return rejected;
  }

  /** Every lease whose holder has not renewed it in time ends; the maps it held (with their last checkpoint) are served here again. */
  expireLeases(): Lease[] {
    const expired = this.leases.expire();
    for (const lease of expired) {
      const entry = this.#maps.get(lease.map_id);
      if (entry) this.#freeIfUnused(entry);
    }
    return expired;
  }
}
