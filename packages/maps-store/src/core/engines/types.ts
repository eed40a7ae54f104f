import { MapType } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import type { BpfMap } from '../map.js';
import type { MapPorts } from '../ports.js';
import { KMALLOC_MAX_SIZE, MAX_BPF_STACK, type MapSpec, PCPU_MIN_UNIT_SIZE } from '../spec.js';
import { ArrayMap } from './array.js';
import { bloomFilterMapType } from './bloom-filter.js';
import { cgroupArrayMapType } from './cgroup-array.js';
import { cpumapMapType } from './cpumap.js';
import { devmapHashMapType, devmapMapType } from './devmap.js';
import { arrayFlags, checkArraySpec } from './fd-array.js';
import { HashMap, checkHashSpec, hashFlags } from './hash.js';
import { lpmTrieSupport } from './lpm-trie.js';
import { lruHashSupport } from './lru-hash.js';
import { arrayOfMapsMapType, hashOfMapsMapType } from './map-in-map.js';
import { perfEventArrayMapType } from './perf-event-array.js';
import { progArrayMapType } from './prog-array.js';
import { queueStackMapType } from './queue-stack.js';
import { ringbufMapType } from './ringbuf.js';
import { stackTraceMapType } from './stack-trace.js';
import { xskmapMapType } from './xskmap.js';

/**
 * Every implemented map type: the map_flags it takes, its own create-time rules (after the
 * common ones in spec.ts), and how to build it. A new map type is one entry here and one file.
 */
export interface MapTypeSupport {
  readonly allowedFlags: number;
  /** Throws specError(...) for a spec this type rejects; the kernel's *_map_alloc_check. */
  check(spec: MapSpec): void;
  /** Builds the map; `cpus` is the number of possible CPUs, `ports` the kernel objects its values may name. */
  create(spec: MapSpec, arena: Arena, cpus: number, ports?: MapPorts): BpfMap;
}

function arrayType(mapType: number, limit: number): MapTypeSupport {
  return {
    allowedFlags: arrayFlags(mapType),
    check: (spec) => checkArraySpec(spec, limit),
    create: (spec, arena, cpus) => new ArrayMap(spec, arena, cpus),
  };
}

function hashType(limit: number): MapTypeSupport {
  return {
    allowedFlags: hashFlags(),
    check: (spec) => checkHashSpec(spec, limit),
    create: (spec, arena, cpus) => new HashMap(spec, arena, cpus),
  };
}

export const MAP_TYPES: ReadonlyMap<number, MapTypeSupport> = new Map([
  [MapType.HASH, hashType(KMALLOC_MAX_SIZE - MAX_BPF_STACK - 64)],
  [MapType.ARRAY, arrayType(MapType.ARRAY, KMALLOC_MAX_SIZE)],
  [MapType.PROG_ARRAY, progArrayMapType],
  [MapType.PERF_EVENT_ARRAY, perfEventArrayMapType],
  [MapType.PERCPU_HASH, hashType(PCPU_MIN_UNIT_SIZE)],
  [MapType.PERCPU_ARRAY, arrayType(MapType.PERCPU_ARRAY, PCPU_MIN_UNIT_SIZE)],
  [MapType.STACK_TRACE, stackTraceMapType],
  [MapType.CGROUP_ARRAY, cgroupArrayMapType],
  [MapType.LRU_HASH, lruHashSupport(MapType.LRU_HASH)],
  [MapType.LRU_PERCPU_HASH, lruHashSupport(MapType.LRU_PERCPU_HASH)],
  [MapType.LPM_TRIE, lpmTrieSupport],
  [MapType.ARRAY_OF_MAPS, arrayOfMapsMapType],
  [MapType.HASH_OF_MAPS, hashOfMapsMapType],
  [MapType.DEVMAP, devmapMapType],
  [MapType.CPUMAP, cpumapMapType],
  [MapType.XSKMAP, xskmapMapType],
  [MapType.QUEUE, queueStackMapType],
  [MapType.STACK, queueStackMapType],
  [MapType.DEVMAP_HASH, devmapHashMapType],
  [MapType.RINGBUF, ringbufMapType],
  [MapType.BLOOM_FILTER, bloomFilterMapType],
]);
