import { BpfError, MapFlag, mapTypeName, parseMapType } from '@bpfhive/uapi';
import type { Arena } from './arena.js';
import { createMap } from './create.js';
import type { BpfMap } from './map.js';
import type { MapSnapshot } from './snapshot.js';
import type { MapSpec } from './spec.js';

/** What BPF_OBJ_GET_INFO_BY_FD tells about a map. */
export interface MapInfo {
  readonly map_id: number;
  readonly map_type: number;
  readonly type_name: string;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags: number;
  readonly name: string;
  readonly frozen: boolean;
}

interface Entry {
  readonly id: number;
  readonly map: BpfMap;
  frozen: boolean;
}

/** A request to create a map: the bpf_attr fields; map_type as a number or a bpftool name. */
export interface CreateRequest {
  readonly map_type: number | string;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags?: number;
  readonly map_name?: string;
}

/** One page of a batch lookup: at most `count` elements after the position `inBatch`. */
export interface BatchPage {
  readonly keys: Uint8Array[];
  readonly values: Uint8Array[];
  /** Where the next call continues; undefined once the map is exhausted (`done`). */
  readonly outBatch?: Uint8Array;
  readonly done: boolean;
}

/**
 * The maps-store's core: the maps it hosts by id, the bpffs-like pin namespace, and the syscall
 * commands with Linux's rules on top of the engines — freeze, BPF_F_RDONLY/WRONLY (EPERM), ids
 * that are never reused, pins that keep a map alive. No NATS here: the service adapter decodes
 * requests and calls these methods; every error is a BpfError with the errno Linux returns.
 */
export class MapDirectory {
  readonly #maps = new Map<number, Entry>();
  readonly #pins = new Map<string, number>();
  #nextId = 1;

  constructor(
    private readonly arena: Arena,
    private readonly cpus = 1,
  ) {}

  create(request: CreateRequest): number {
    const map_type = parseMapType(request.map_type);
    if (map_type === undefined) throw new BpfError('EINVAL', `map create: unknown map_type ${JSON.stringify(request.map_type)}`);
    const spec: MapSpec = {
      map_type,
      key_size: request.key_size,
      value_size: request.value_size,
      max_entries: request.max_entries,
      map_flags: request.map_flags ?? 0,
      ...(request.map_name !== undefined && { map_name: request.map_name }),
    };
    const map = createMap(spec, this.arena, this.cpus);
    const id = this.#nextId++;
    this.#maps.set(id, { id, map, frozen: false });
    return id;
  }

  /** The map with this id, or ENOENT. */
  get(id: number): BpfMap {
    return this.#entry(id).map;
  }

  #entry(id: number): Entry {
    const entry = this.#maps.get(id);
    if (!entry) throw new BpfError('ENOENT', `map ${id}: no such map`);
    return entry;
  }

  #readable(entry: Entry): BpfMap {
    if ((entry.map.spec.map_flags & MapFlag.WRONLY) !== 0) throw new BpfError('EPERM', `map ${entry.id}: created with BPF_F_WRONLY, user space may not read it`);
    return entry.map;
  }

  #writable(entry: Entry): BpfMap {
    if ((entry.map.spec.map_flags & MapFlag.RDONLY) !== 0) throw new BpfError('EPERM', `map ${entry.id}: created with BPF_F_RDONLY, user space may not write it`);
    if (entry.frozen) throw new BpfError('EPERM', `map ${entry.id}: frozen, user space may not write it`);
    return entry.map;
  }

  lookup(id: number, key: Uint8Array): Uint8Array {
    return this.#readable(this.#entry(id)).lookup(key);
  }

  update(id: number, key: Uint8Array, value: Uint8Array, flags: number): void {
    this.#writable(this.#entry(id)).update(key, value, flags);
  }

  delete(id: number, key: Uint8Array): void {
    this.#writable(this.#entry(id)).delete(key);
  }

  getNextKey(id: number, key: Uint8Array | undefined): Uint8Array {
    return this.#readable(this.#entry(id)).getNextKey(key);
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM for hash maps: the value, then the key is gone. */
  lookupAndDelete(id: number, key: Uint8Array): Uint8Array {
    const entry = this.#entry(id);
    const value = this.#readable(entry).lookup(key);
    this.#writable(entry).delete(key);
    return value;
  }

  /**
   * BPF_MAP_LOOKUP_BATCH: up to `count` elements in get_next_key order, starting after the key
   * in `inBatch` (the opaque position a previous page returned).
   */
  lookupBatch(id: number, inBatch: Uint8Array | undefined, count: number): BatchPage {
    if (!Number.isInteger(count) || count < 1) throw new BpfError('EINVAL', `lookup_batch: count must be at least 1, got ${count}`);
    const map = this.#readable(this.#entry(id));
    const keys: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    let key = inBatch;
    while (keys.length < count) {
      try {
        key = map.getNextKey(key);
      } catch (e) {
        if (e instanceof BpfError && e.code === 'ENOENT') return { keys, values, done: true };
        throw e;
      }
      keys.push(key);
      values.push(map.lookup(key));
    }
    return { keys, values, outBatch: key!, done: false };
  }

  /** BPF_MAP_UPDATE_BATCH: applies in order; on an error, says how many went in before it. */
  updateBatch(id: number, keys: readonly Uint8Array[], values: readonly Uint8Array[], flags: number): number {
    if (keys.length !== values.length) throw new BpfError('EINVAL', `update_batch: ${keys.length} keys but ${values.length} values`);
    const map = this.#writable(this.#entry(id));
    keys.forEach((key, i) => this.#batchStep('update_batch', i, () => map.update(key, values[i]!, flags)));
    return keys.length;
  }

  /** BPF_MAP_DELETE_BATCH. */
  deleteBatch(id: number, keys: readonly Uint8Array[]): number {
    const map = this.#writable(this.#entry(id));
    keys.forEach((key, i) => this.#batchStep('delete_batch', i, () => map.delete(key)));
    return keys.length;
  }

  #batchStep(what: string, done: number, step: () => void): void {
    try {
      step();
    } catch (e) {
      if (e instanceof BpfError) throw new BpfError(e.code, `${what}: ${done} elements done, then: ${e.message}`, { cause: e });
      throw e;
    }
  }

  /** BPF_MAP_FREEZE: user space may no longer write; a second freeze is EBUSY. */
  freeze(id: number): void {
    const entry = this.#entry(id);
    if (entry.frozen) throw new BpfError('EBUSY', `map ${id}: already frozen`);
    entry.frozen = true;
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
      name: s.map_name ?? '',
      frozen,
    };
  }

  /** BPF_MAP_GET_NEXT_ID: the smallest id above `start`, or ENOENT. */
  nextId(start: number): number {
    let next: number | undefined;
    for (const id of this.#maps.keys()) if (id > start && (next === undefined || id < next)) next = id;
    if (next === undefined) throw new BpfError('ENOENT', `map_get_next_id: no map id above ${start}`);
    return next;
  }

  /** BPF_OBJ_PIN of a map: a bpffs-like absolute path; EEXIST when taken. */
  pin(path: string, id: number): void {
    checkPath(path);
    this.#entry(id);
    if (this.#pins.has(path)) throw new BpfError('EEXIST', `obj_pin: ${path} already exists`);
    this.#pins.set(path, id);
  }

  /** BPF_OBJ_GET: the map id pinned at `path`, or ENOENT. */
  pinned(path: string): number {
    checkPath(path);
    const id = this.#pins.get(path);
    if (id === undefined) throw new BpfError('ENOENT', `obj_get: ${path}: no such pin`);
    return id;
  }

  /** The paths `id` is pinned at. */
  pinsOf(id: number): string[] {
    return [...this.#pins].filter(([, pinned]) => pinned === id).map(([path]) => path);
  }

  /** Everything needed to bring map `id` back after a restart (see MapSnapshot). */
  snapshot(id: number): MapSnapshot {
    const { map, frozen } = this.#entry(id);
    const elements: [string, string][] = [];
    let key: Uint8Array | undefined;
    for (;;) {
      try {
        key = map.getNextKey(key);
      } catch (e) {
        if (e instanceof BpfError && e.code === 'ENOENT') break;
        throw e;
      }
      elements.push([Buffer.from(key).toString('base64'), Buffer.from(map.lookup(key)).toString('base64')]);
    }
    return { map_id: id, spec: map.spec, frozen, pins: this.pinsOf(id), elements };
  }

  /** Brings a map back under its old id and pins; later ids continue above it. */
  restore(snapshot: MapSnapshot): void {
    if (this.#maps.has(snapshot.map_id)) throw new BpfError('EEXIST', `restore: map ${snapshot.map_id} exists already`);
    const map = createMap(snapshot.spec, this.arena, this.cpus);
    for (const [key, value] of snapshot.elements) map.update(Buffer.from(key, 'base64'), Buffer.from(value, 'base64'), 0);
    this.#maps.set(snapshot.map_id, { id: snapshot.map_id, map, frozen: snapshot.frozen });
    for (const path of snapshot.pins) this.#pins.set(path, snapshot.map_id);
    this.#nextId = Math.max(this.#nextId, snapshot.map_id + 1);
  }

  /** Removes a pin (unlink on bpffs). */
  unpin(path: string): void {
    if (!this.#pins.delete(path)) throw new BpfError('ENOENT', `unpin: ${path}: no such pin`);
  }
}

/** Pins live under /sys/fs/bpf, as on Linux; no empty, relative or dot components. */
function checkPath(path: string): void {
  if (!/^\/sys\/fs\/bpf(\/[\w.-]+)+$/.test(path) || path.split('/').some((c) => c === '.' || c === '..')) {
    throw new BpfError('EINVAL', `pin path ${JSON.stringify(path)}: use an absolute path under /sys/fs/bpf, e.g. /sys/fs/bpf/my_map`);
  }
}
