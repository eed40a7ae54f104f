import { BpfError, MapFlag, type MapBtfFields, MapType, mapTypeName } from '@bpfhive/uapi';

/** What BPF_MAP_CREATE describes: plain data, the same on every machine. */
export interface MapSpec {
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags: number;
  readonly map_name?: string;
  /** attr->map_extra (u64): only BLOOM_FILTER takes it (bits 0-3: the number of hash functions); 0 or absent for every other type. */
  readonly map_extra?: number;
  /**
   * ARRAY_OF_MAPS / HASH_OF_MAPS: the template every inner map must match, copied from the map
   * `inner_map_id` named at creation (the kernel's inner_map_meta, taken from inner_map_fd), so
   * the spec stays complete when that map is gone.
   */
  readonly inner_map?: InnerMapSpec;
  /**
   * The map's BTF (attr->btf_fd): a BTF object id of the kernel-sim (bpf.v1.btf_load) and the key
   * and value types in it; absent (0) without BTF. map_create checks the types against the BTF
   * object then and there (Linux's map_check_btf; map-btf.ts) and keeps what it found in
   * `value_fields`, so the map needs the object no more: the ids are only reported (map info).
   */
  readonly btf_id?: number;
  readonly btf_key_type_id?: number;
  readonly btf_value_type_id?: number;
  /**
   * The value's special fields (struct bpf_spin_lock, struct bpf_timer, kptrs) as map_create found
   * them in the BTF (uapi MapBtfFields): set whenever btf_value_type_id is. The kernel-sim hands
   * them to the verifier; the syscall commands zero them in lookups, keep or free them in updates
   * and take the spin lock for BPF_F_LOCK (value-fields.ts). Absent in snapshots from before it
   * was kept.
   */
  readonly value_fields?: MapBtfFields;
}

/**
 * A spec's BTF ids, the absent (0) ones left out: for copying them between specs and onto the
 * wire. A btf_id without type ids is dropped, as the kernel ignores btf_fd then.
 */
export function mapBtfIdsOf(spec: Pick<MapSpec, 'btf_id' | 'btf_key_type_id' | 'btf_value_type_id'>): Pick<MapSpec, 'btf_id' | 'btf_key_type_id' | 'btf_value_type_id'> {
  if (!spec.btf_key_type_id && !spec.btf_value_type_id) return {};
  return {
    ...(spec.btf_id !== undefined && spec.btf_id !== 0 && { btf_id: spec.btf_id }),
    ...(spec.btf_key_type_id !== undefined && spec.btf_key_type_id !== 0 && { btf_key_type_id: spec.btf_key_type_id }),
    ...(spec.btf_value_type_id !== undefined && spec.btf_value_type_id !== 0 && { btf_value_type_id: spec.btf_value_type_id }),
  };
}

/**
 * A leased map's spec as the lease subjects carry it (lease grants and renewals, uapi lease.ts):
 * its id, the spec's fields (optional ones only when set) and whether it is frozen.
 */
export function leasedSpecOf(mapId: number, spec: MapSpec, frozen: boolean) {
  return {
    map_id: mapId,
    map_type: spec.map_type,
    key_size: spec.key_size,
    value_size: spec.value_size,
    max_entries: spec.max_entries,
    map_flags: spec.map_flags,
    ...(spec.map_name !== undefined && { map_name: spec.map_name }),
    ...(spec.map_extra !== undefined && { map_extra: spec.map_extra }),
    ...(spec.inner_map !== undefined && { inner_map: spec.inner_map }),
    ...mapBtfIdsOf(spec),
    ...(spec.value_fields !== undefined && { value_fields: spec.value_fields }),
    frozen,
  };
}

/** What bpf_map_meta_equal compares: an inner map's template. */
export interface InnerMapSpec {
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags: number;
}

/** Kernel limits that create-time checks use. */
export const MAX_BPF_STACK = 512;
/** KMALLOC_MAX_SIZE on x86-64 (4 MiB): the largest value the kernel allocates in one piece. */
export const KMALLOC_MAX_SIZE = 1 << 22;
/** PCPU_MIN_UNIT_SIZE (32 KiB): the largest per-CPU value. */
export const PCPU_MIN_UNIT_SIZE = 32 << 10;
export const BPF_OBJ_NAME_LEN = 16;

/** Flags that restrict who reads and writes, which most map types take. */
export const ACCESS_FLAGS = MapFlag.RDONLY | MapFlag.WRONLY | MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG;

/** A create-time rule failed: the errno and the reason, prefixed with the map type. */
export function specError(code: string, spec: MapSpec, reason: string): BpfError {
  return new BpfError(code, `map create (${mapTypeName(spec.map_type) ?? spec.map_type}): ${reason}`);
}

/**
 * The checks every map type shares (the kernel's bpf_map_attr checks and map_create): u32
 * fields, map_extra only for a bloom filter, the name, flags the type takes, exclusive access
 * flags. The type's own rules follow.
 */
export function checkCommonSpec(spec: MapSpec, allowedFlags: number): void {
  const { key_size, value_size, max_entries, map_flags } = spec;
  for (const [field, value] of Object.entries({ key_size, value_size, max_entries, map_flags })) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw specError('EINVAL', spec, `${field} must be a u32, got ${value}`);
  }
  const extra = spec.map_extra ?? 0;
  if (!Number.isSafeInteger(extra) || extra < 0) throw specError('EINVAL', spec, `map_extra must be a u64, got ${extra}`);
  if (extra !== 0 && spec.map_type !== MapType.BLOOM_FILTER) throw specError('EINVAL', spec, `map_extra ${extra}: only a bloom filter takes map_extra`);
  checkMapBtfIds(spec);
  if (spec.map_name !== undefined && (spec.map_name.length >= BPF_OBJ_NAME_LEN || !/^[\w.]*$/.test(spec.map_name))) {
    throw specError('EINVAL', spec, `map_name must be at most 15 characters of letters, digits, '_' and '.'`);
  }
  if ((map_flags & ~allowedFlags) !== 0) {
    throw specError('EINVAL', spec, `map_flags 0x${map_flags.toString(16)} has bits this map type does not take (allowed: 0x${allowedFlags.toString(16)})`);
  }
  if ((map_flags & MapFlag.RDONLY) !== 0 && (map_flags & MapFlag.WRONLY) !== 0) throw specError('EINVAL', spec, 'BPF_F_RDONLY and BPF_F_WRONLY exclude each other');
  if ((map_flags & MapFlag.RDONLY_PROG) !== 0 && (map_flags & MapFlag.WRONLY_PROG) !== 0) {
    throw specError('EINVAL', spec, 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other');
  }
}

/**
 * map_create's BTF checks that need no BTF object: u32 ids, and a key or value type only with a
 * btf_id (the kernel looks btf_fd up whenever a type id is given). What the types say is checked
 * against the object next (map-btf.ts checkMapBtf); like Linux, only with a value type.
 */
export function checkMapBtfIds(spec: MapSpec): void {
  const { btf_id = 0, btf_key_type_id = 0, btf_value_type_id = 0 } = spec;
  for (const [field, value] of Object.entries({ btf_id, btf_key_type_id, btf_value_type_id })) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw specError('EINVAL', spec, `${field} must be a u32, got ${value}`);
  }
  if (btf_id === 0 && (btf_key_type_id !== 0 || btf_value_type_id !== 0)) throw specError('EINVAL', spec, 'btf_key_type_id and btf_value_type_id need a btf_id');
}
