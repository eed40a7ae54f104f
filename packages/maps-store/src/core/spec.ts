import { BpfError, MapFlag, MapType, mapTypeName } from '@bpfhive/uapi';

/** What BPF_MAP_CREATE describes: plain data, the same on every machine. */
export interface MapSpec {
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags: number;
  readonly map_name?: string;
}

/** Kernel limits that create-time checks use. */
export const MAX_BPF_STACK = 512;
/** KMALLOC_MAX_SIZE on x86-64 (4 MiB): the largest value the kernel allocates in one piece. */
export const KMALLOC_MAX_SIZE = 1 << 22;
/** PCPU_MIN_UNIT_SIZE (32 KiB): the largest per-CPU value. */
export const PCPU_MIN_UNIT_SIZE = 32 << 10;
export const BPF_OBJ_NAME_LEN = 16;

const ACCESS_FLAGS = MapFlag.RDONLY | MapFlag.WRONLY | MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG;

/** map_flags each implemented map type accepts (as the kernel's *_map_alloc_check). */
const ALLOWED_FLAGS: ReadonlyMap<number, number> = new Map([
  [MapType.ARRAY, MapFlag.NUMA_NODE | ACCESS_FLAGS | MapFlag.MMAPABLE | MapFlag.INNER_MAP | MapFlag.PRESERVE_ELEMS],
  [MapType.PERCPU_ARRAY, MapFlag.NUMA_NODE | ACCESS_FLAGS | MapFlag.INNER_MAP],
  [MapType.HASH, MapFlag.NO_PREALLOC | MapFlag.NUMA_NODE | ACCESS_FLAGS | MapFlag.ZERO_SEED],
  [MapType.PERCPU_HASH, MapFlag.NO_PREALLOC | MapFlag.NUMA_NODE | ACCESS_FLAGS | MapFlag.ZERO_SEED],
]);

const fail = (code: string, spec: MapSpec, reason: string): never => {
  throw new BpfError(code, `map create (${mapTypeName(spec.map_type) ?? spec.map_type}): ${reason}`);
};

/**
 * Checks a spec the way the kernel's map_alloc_check does for its type. EINVAL for a field that
 * is wrong or a flag the type does not take, E2BIG for a key or value too large, EINVAL for a
 * map type bpfhive does not implement yet (the kernel's answer to an unknown type).
 */
export function checkMapSpec(spec: MapSpec): void {
  const { map_type, key_size, value_size, max_entries, map_flags } = spec;
  for (const [field, value] of Object.entries({ key_size, value_size, max_entries, map_flags })) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) fail('EINVAL', spec, `${field} must be a u32, got ${value}`);
  }
  if (spec.map_name !== undefined && (spec.map_name.length >= BPF_OBJ_NAME_LEN || !/^[\w.]*$/.test(spec.map_name))) {
    fail('EINVAL', spec, `map_name must be at most 15 characters of letters, digits, '_' and '.'`);
  }
  const allowed = ALLOWED_FLAGS.get(map_type);
  if (allowed === undefined) fail('EINVAL', spec, 'this map type is not supported yet');
  if ((map_flags & ~allowed!) !== 0) fail('EINVAL', spec, `map_flags 0x${map_flags.toString(16)} has bits this map type does not take (allowed: 0x${allowed!.toString(16)})`);
  if ((map_flags & MapFlag.RDONLY) !== 0 && (map_flags & MapFlag.WRONLY) !== 0) fail('EINVAL', spec, 'BPF_F_RDONLY and BPF_F_WRONLY exclude each other');
  if ((map_flags & MapFlag.RDONLY_PROG) !== 0 && (map_flags & MapFlag.WRONLY_PROG) !== 0) {
    fail('EINVAL', spec, 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other');
  }
  if (max_entries === 0) fail('EINVAL', spec, 'max_entries must be at least 1');
  if (value_size === 0) fail('EINVAL', spec, 'value_size must be at least 1');
  switch (map_type) {
    case MapType.ARRAY:
    case MapType.PERCPU_ARRAY: {
      if (key_size !== 4) fail('EINVAL', spec, `key_size must be 4 (a u32 index), got ${key_size}`);
      const limit = map_type === MapType.PERCPU_ARRAY ? PCPU_MIN_UNIT_SIZE : KMALLOC_MAX_SIZE;
      if (value_size > limit) fail('E2BIG', spec, `value_size ${value_size} is larger than ${limit}`);
      break;
    }
    case MapType.HASH:
    case MapType.PERCPU_HASH: {
      if (key_size === 0) fail('EINVAL', spec, 'key_size must be at least 1');
      if (key_size > MAX_BPF_STACK) fail('E2BIG', spec, `key_size ${key_size} is larger than the ${MAX_BPF_STACK}-byte stack`);
      const limit = map_type === MapType.PERCPU_HASH ? PCPU_MIN_UNIT_SIZE : KMALLOC_MAX_SIZE - MAX_BPF_STACK - 64;
      if (value_size >= limit) fail('E2BIG', spec, `value_size ${value_size} is too large (limit ${limit})`);
      break;
    }
  }
}
