import { BpfError, MapFlag, MapType } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { type BpfMap, checkLength } from '../map.js';
import { mapPointer } from '../map-pointer.js';
import type { ObjectTable } from '../ports.js';
import { clearMap } from '../records.js';
import { type InnerMapSpec, type MapSpec, specError } from '../spec.js';
import { FdArrayMap, arrayFlags, checkFdArraySpec } from './fd-array.js';
import { HashMap, checkHashSpec, hashFlags } from './hash.js';
import { negErrno } from './queue-stack.js';
import type { MapTypeSupport } from './types.js';

const MAP_IN_MAP = new Set<number>([MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS]);
/** Types without map_meta_equal: they cannot be inner maps (their owner binding is runtime state). */
const NOT_INNER = new Set<number>([MapType.PROG_ARRAY, MapType.CGROUP_STORAGE, MapType.PERCPU_CGROUP_STORAGE, MapType.STRUCT_OPS]);
/** Flags that belong to a file descriptor, not the map (bpf_map_flags_retain_permanent drops them). */
const FD_FLAGS = MapFlag.RDONLY | MapFlag.WRONLY;

/**
 * bpf_map_meta_alloc: the template an ARRAY_OF_MAPS / HASH_OF_MAPS takes from the map named at
 * creation. EINVAL for a map-in-map (one level only), ENOTSUPP for a type that cannot be an inner
 * map (PROG_ARRAY, cgroup storage, struct_ops).
 */
export function innerMapSpec(inner: BpfMap): InnerMapSpec {
  const { map_type, key_size, value_size, max_entries, map_flags } = inner.spec;
  if (MAP_IN_MAP.has(map_type)) throw new BpfError('EINVAL', 'map create: the inner map is itself a map of maps (only one level is supported)');
  if (NOT_INNER.has(map_type)) throw new BpfError('ENOTSUPP', `map create: a map of type ${map_type} cannot be an inner map`);
  return { map_type, key_size, value_size, max_entries, map_flags: map_flags & ~FD_FLAGS };
}

/**
 * bpf_map_meta_equal (array_map_meta_equal for arrays): same type, key and value size and flags;
 * arrays must also have the same max_entries unless the template has BPF_F_INNER_MAP.
 */
export function innerMapMatches(template: InnerMapSpec, map: BpfMap): boolean {
  const s = map.spec;
  if (s.map_type !== template.map_type || s.key_size !== template.key_size || s.value_size !== template.value_size) return false;
  if ((s.map_flags & ~FD_FLAGS) !== template.map_flags) return false;
  const isArray = s.map_type === MapType.ARRAY || s.map_type === MapType.PERCPU_ARRAY;
  return !isArray || (template.map_flags & MapFlag.INNER_MAP) !== 0 || s.max_entries === template.max_entries;
}

/** Resolves an inner map id for an outer map: the map with a reference taken, its pointer. EBADF / EINVAL as the kernel. */
function takeInner(maps: ObjectTable<BpfMap> | undefined, template: InnerMapSpec, id: number): number {
  const inner = maps?.acquire(id);
  if (!inner) throw new BpfError('EBADF', `update: no map with id ${id}`);
  if (!innerMapMatches(template, inner)) {
    maps!.release(id);
    const s = inner.spec;
    throw new BpfError(
      'EINVAL',
      `update: map ${id} (type ${s.map_type}, key ${s.key_size}, value ${s.value_size}, max_entries ${s.max_entries}, flags 0x${s.map_flags.toString(16)}) does not match the inner map template (type ${template.map_type}, key ${template.key_size}, value ${template.value_size}, max_entries ${template.max_entries}, flags 0x${template.map_flags.toString(16)})`,
    );
  }
  return mapPointer(inner);
}

function template(spec: MapSpec): InnerMapSpec {
  if (!spec.inner_map) throw specError('EBADF', spec, 'inner_map_id must name the map every inner map will look like');
  return spec.inner_map;
}

/**
 * BPF_MAP_TYPE_ARRAY_OF_MAPS: an fd array of inner maps. User space writes a map id; the map must
 * match the template (innerMapMatches) and is held through the `maps` port. A syscall lookup gives
 * the inner map's id; a program's lookup gives the inner map's pointer (map-pointer.ts), which it
 * passes to the map helpers, or NULL.
 */
export class ArrayOfMapsMap extends FdArrayMap {
  readonly template: InnerMapSpec;
  protected readonly sysLookup = (id: number): number => id;

  constructor(
    spec: MapSpec,
    arena: Arena,
    private readonly maps: ObjectTable<BpfMap> | undefined,
  ) {
    super(spec, arena);
    this.template = template(spec);
  }

  protected take(id: number): number {
    return takeInner(this.maps, this.template, id);
  }

  protected drop(id: number): void {
    this.maps?.release(id);
  }

  override lookupAddress(keyAddress: number, _cpu: number): number {
    return this.slotAt(this.arena.loadU32(keyAddress));
  }
}

/**
 * BPF_MAP_TYPE_HASH_OF_MAPS: a hash table (HASH's rules: flags, E2BIG when full, NO_PREALLOC,
 * iteration order) whose values are inner maps. Each element's value is 8 bytes in the arena:
 * u32 inner map pointer (what a program's lookup returns) | u32 inner map id (what a syscall
 * lookup returns).
 */
export class HashOfMapsMap implements BpfMap {
  readonly cpus = 1;
  readonly syscallValueSize = 4;
  readonly template: InnerMapSpec;
  readonly #table: HashMap;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
    private readonly maps: ObjectTable<BpfMap> | undefined,
  ) {
    this.template = template(spec);
    this.#table = new HashMap({ ...spec, map_type: MapType.HASH, value_size: 8 }, arena, 1);
  }

  /** BpfMap.dispose: every inner map is released (a freed outer map lets go of them, as Linux's fd_htab_map_free), the table emptied and given back to the arena. */
  dispose(): void {
    clearMap(this);
    this.#table.dispose();
  }

  /** The inner map id under `key`, 0 when there is none. */
  #idOf(key: Uint8Array): number {
    try {
      return new DataView(this.#table.lookup(key).buffer).getUint32(4, true);
    } catch (e) {
      if (e instanceof BpfError && e.code === 'ENOENT') return 0;
      throw e;
    }
  }

  lookup(key: Uint8Array): Uint8Array {
    return this.#table.lookup(key).slice(4, 8);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    checkLength('key', key, this.spec.key_size);
    checkLength('value', value, 4);
    const id = new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true);
    const pointer = takeInner(this.maps, this.template, id);
    const old = this.#idOf(key);
    try {
      this.#table.update(key, new Uint8Array(new Uint32Array([pointer, id]).buffer), flags);
    } catch (e) {
      this.maps?.release(id);
      throw e;
    }
    if (old !== 0) this.maps?.release(old);
  }

  delete(key: Uint8Array): void {
    const old = this.#idOf(key);
    this.#table.delete(key);
    this.maps?.release(old);
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    return this.#table.getNextKey(key);
  }

  lookupAddress(keyAddress: number, _cpu: number): number {
    const value = this.#table.lookupAddress(keyAddress, 0);
    return value === 0 ? 0 : this.arena.u32[value >> 2]!;
  }

  updateAt(_keyAddress: number, _valueAddress: number, _flags: number, _cpu: number): number {
    return negErrno('EINVAL');
  }

  deleteAt(_keyAddress: number): number {
    return negErrno('EINVAL');
  }
}

/** ARRAY_OF_MAPS: fd_array_map_alloc_check; the template comes from inner_map (EBADF without). */
export const arrayOfMapsMapType: MapTypeSupport = {
  allowedFlags: arrayFlags(MapType.ARRAY_OF_MAPS),
  check: checkFdArraySpec,
  create: (spec, arena, _cpus, ports) => new ArrayOfMapsMap(spec, arena, ports?.maps),
};

/** HASH_OF_MAPS: fd_htab_map_alloc_check (a u32 value, then HASH's rules). */
export const hashOfMapsMapType: MapTypeSupport = {
  allowedFlags: hashFlags(),
  check(spec) {
    if (spec.value_size !== 4) throw specError('EINVAL', spec, `value_size must be 4 (a map id), got ${spec.value_size}`);
    checkHashSpec(spec, Infinity);
  },
  create: (spec, arena, _cpus, ports) => new HashOfMapsMap(spec, arena, ports?.maps),
};
