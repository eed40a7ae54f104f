import { MapFlag, MapType } from '@bpfhive/uapi';
import { round8 } from './map.js';
import type { MapSpec } from './spec.js';

/**
 * What a map is charged: its memory as Linux's bpf_map_memory_usage (fdinfo's `memlock`, each
 * type's map_mem_usage) counts it on x86-64, from the spec alone, so the charge is known before
 * the map is made. Every element a map can hold is counted, as the RLIMIT_MEMLOCK charge of
 * kernels before 5.11 did: preallocated maps own them from the start, and a BPF_F_NO_PREALLOC
 * hash is charged for all max_entries too (Linux charges such elements as they are allocated;
 * bpfhive charges once, up front, so a map can never fail an update for want of a charge).
 * Per-CPU values count once per possible CPU (`cpus`). The sizes of kernel structures are
 * x86-64's; bpfhive's own layout in the arena differs, and is not what is charged.
 */

/** sizeof(struct bpf_map), cache-line aligned: the part every map has. */
export const BPF_MAP_STRUCT_SIZE = 256;
/** sizeof(struct htab_elem) before its key: hash node, hash, LRU/free-list link. */
const HTAB_ELEM_SIZE = 48;
/** sizeof(struct bucket): an hlist_nulls_head and its lock. */
const HTAB_BUCKET_SIZE = 16;
/** sizeof(struct lpm_trie_node) before its data: two children, prefix length, flags. */
const LPM_NODE_SIZE = 32;
const POINTER_SIZE = 8;
const PAGE_SIZE = 4096;

const ARRAYS = new Set<number>([MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.PROG_ARRAY, MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY, MapType.ARRAY_OF_MAPS]);
const HASHES = new Set<number>([MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH, MapType.LRU_PERCPU_HASH, MapType.HASH_OF_MAPS]);
const PERCPU = new Set<number>([MapType.PERCPU_ARRAY, MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH]);
const LRU = new Set<number>([MapType.LRU_HASH, MapType.LRU_PERCPU_HASH]);

const roundUpPow2 = (n: number): number => (n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n)));
const pageAlign = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

/** The bytes map `spec` is charged with `cpus` possible CPUs (see above). */
export function mapMemoryUsage(spec: MapSpec, cpus: number): number {
  const { map_type: type, key_size, max_entries: entries } = spec;
  const value = round8(spec.value_size);
  if (ARRAYS.has(type)) {
    // array_map_mem_usage: the values (per-CPU: a pointer per entry and a value per CPU), mmapable arrays in whole pages.
    const values = PERCPU.has(type) ? entries * (value * cpus + POINTER_SIZE) : entries * value;
    return BPF_MAP_STRUCT_SIZE + ((spec.map_flags & MapFlag.MMAPABLE) !== 0 ? pageAlign(values) : values);
  }
  if (HASHES.has(type)) {
    // htab_map_mem_usage: buckets, and every element (plus one spare per CPU for a plain hash).
    const percpu = PERCPU.has(type);
    const elem = HTAB_ELEM_SIZE + round8(key_size) + (percpu ? POINTER_SIZE : value);
    const elements = entries + (percpu || LRU.has(type) ? 0 : cpus);
    return BPF_MAP_STRUCT_SIZE + roundUpPow2(entries) * HTAB_BUCKET_SIZE + elements * elem + (percpu ? elements * value * cpus : 0);
  }
  switch (type) {
    case MapType.RINGBUF:
    case MapType.USER_RINGBUF:
      // The data pages plus the consumer and producer pages.
      return BPF_MAP_STRUCT_SIZE + entries + 2 * PAGE_SIZE;
    case MapType.QUEUE:
    case MapType.STACK:
      // One slot more than max_entries, to tell full from empty.
      return BPF_MAP_STRUCT_SIZE + (entries + 1) * spec.value_size;
    case MapType.LPM_TRIE:
      // A node holds the prefix data (the key less its u32 prefix length) and the value.
      return BPF_MAP_STRUCT_SIZE + entries * (LPM_NODE_SIZE + Math.max(0, key_size - 4) + spec.value_size);
    case MapType.BLOOM_FILTER: {
      // bloom_map_alloc: entries × hashes / ln 2 bits, rounded up to a power of two.
      const hashes = (spec.map_extra ?? 0) & 0xf || 5;
      return BPF_MAP_STRUCT_SIZE + roundUpPow2(Math.ceil((entries * hashes * 7) / 5)) / 8;
    }
    case MapType.STACK_TRACE:
      // A bucket pointer per entry and a bucket (header and value) per entry.
      return BPF_MAP_STRUCT_SIZE + roundUpPow2(entries) * POINTER_SIZE + entries * (24 + spec.value_size);
    default:
      // Every other type: a key, a value and a node's overhead per entry.
      return BPF_MAP_STRUCT_SIZE + entries * (round8(key_size) + value + HTAB_ELEM_SIZE);
  }
}
