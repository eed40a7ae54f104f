import { MapFlag, MapType } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import type { BpfMap } from '../map.js';
import { ACCESS_FLAGS, KMALLOC_MAX_SIZE, MAX_BPF_STACK, type MapSpec, PCPU_MIN_UNIT_SIZE, specError } from '../spec.js';
import { ArrayMap } from './array.js';
import { bloomFilterMapType } from './bloom-filter.js';
import { HashMap } from './hash.js';
import { lpmTrieSupport } from './lpm-trie.js';
import { lruHashSupport } from './lru-hash.js';
import { queueStackMapType } from './queue-stack.js';
import { ringbufMapType } from './ringbuf.js';

/**
 * Every implemented map type: the map_flags it takes, its own create-time rules (after the
 * common ones in spec.ts), and how to build it. A new map type is one entry here and one file.
 */
export interface MapTypeSupport {
  readonly allowedFlags: number;
  /** Throws specError(...) for a spec this type rejects; the kernel's *_map_alloc_check. */
  check(spec: MapSpec): void;
  create(spec: MapSpec, arena: Arena, cpus: number): BpfMap;
}

const requireNonZero = (spec: MapSpec): void => {
  if (spec.max_entries === 0) throw specError('EINVAL', spec, 'max_entries must be at least 1');
  if (spec.value_size === 0) throw specError('EINVAL', spec, 'value_size must be at least 1');
};

function arrayType(limit: number, allowedFlags: number): MapTypeSupport {
  return {
    allowedFlags,
    check(spec) {
      requireNonZero(spec);
      if (spec.key_size !== 4) throw specError('EINVAL', spec, `key_size must be 4 (a u32 index), got ${spec.key_size}`);
      if (spec.value_size > limit) throw specError('E2BIG', spec, `value_size ${spec.value_size} is larger than ${limit}`);
    },
    create: (spec, arena, cpus) => new ArrayMap(spec, arena, cpus),
  };
}

function hashType(limit: number): MapTypeSupport {
  return {
    allowedFlags: MapFlag.NO_PREALLOC | MapFlag.NUMA_NODE | ACCESS_FLAGS | MapFlag.ZERO_SEED,
    check(spec) {
      requireNonZero(spec);
      if (spec.key_size === 0) throw specError('EINVAL', spec, 'key_size must be at least 1');
      if (spec.key_size > MAX_BPF_STACK) throw specError('E2BIG', spec, `key_size ${spec.key_size} is larger than the ${MAX_BPF_STACK}-byte stack`);
      if (spec.value_size >= limit) throw specError('E2BIG', spec, `value_size ${spec.value_size} is too large (limit ${limit})`);
    },
    create: (spec, arena, cpus) => new HashMap(spec, arena, cpus),
  };
}

export const MAP_TYPES: ReadonlyMap<number, MapTypeSupport> = new Map([
  [MapType.ARRAY, arrayType(KMALLOC_MAX_SIZE, MapFlag.NUMA_NODE | ACCESS_FLAGS | MapFlag.MMAPABLE | MapFlag.INNER_MAP | MapFlag.PRESERVE_ELEMS)],
  [MapType.PERCPU_ARRAY, arrayType(PCPU_MIN_UNIT_SIZE, MapFlag.NUMA_NODE | ACCESS_FLAGS | MapFlag.INNER_MAP)],
  [MapType.HASH, hashType(KMALLOC_MAX_SIZE - MAX_BPF_STACK - 64)],
  [MapType.PERCPU_HASH, hashType(PCPU_MIN_UNIT_SIZE)],
  [MapType.LRU_HASH, lruHashSupport(MapType.LRU_HASH)],
  [MapType.LRU_PERCPU_HASH, lruHashSupport(MapType.LRU_PERCPU_HASH)],
  [MapType.LPM_TRIE, lpmTrieSupport],
  [MapType.QUEUE, queueStackMapType],
  [MapType.STACK, queueStackMapType],
  [MapType.BLOOM_FILTER, bloomFilterMapType],
  [MapType.RINGBUF, ringbufMapType],
]);
