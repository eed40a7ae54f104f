import type { InlineMap } from '@bpfhive/jit';
import { ArrayMap, ArrayOfMapsMap, type BpfMap, HashMap } from '@bpfhive/maps-store';
import { MapType } from '@bpfhive/uapi';
import type { KernelMap } from '../maps/kernel-maps.js';

/**
 * The JIT's `maps` compile option for a program: a descriptor (@bpfhive/jit inline-maps.ts) for
 * each map it references whose engine the JIT knows how to probe itself — ARRAY, PERCPU_ARRAY,
 * ARRAY_OF_MAPS and HASH / PERCPU_HASH from the maps-store — so bpf_map_lookup_elem on them
 * becomes wasm. The others stay helper calls. The pointer is the one `lddw rX, map` loads.
 */
export function inlineMapsOf(maps: readonly KernelMap[]): InlineMap[] {
  const out: InlineMap[] = [];
  for (const { map, handle } of maps) {
    const described = describe(map, handle);
    if (described) out.push(described);
  }
  return out;
}

function describe(map: BpfMap, pointer: number): InlineMap | undefined {
  const { map_type: type, max_entries: maxEntries } = map.spec;
  if (map instanceof ArrayMap) {
    if (type === MapType.ARRAY) return { kind: 'array', pointer, valuesBase: map.base, stride: map.stride, maxEntries };
    if (type === MapType.PERCPU_ARRAY) return { kind: 'percpu_array', pointer, valuesBase: map.base, stride: map.stride, cpuStride: map.stride / map.cpus, maxEntries };
    return undefined;
  }
  if (map instanceof ArrayOfMapsMap) return { kind: 'array_of_maps', pointer, slotsBase: map.base, maxEntries };
  if (map instanceof HashMap && (type === MapType.HASH || type === MapType.PERCPU_HASH)) {
    const { seed, capacity, slotsCell, keysInSlots, valueOffset, cpuStride } = map.layout;
    return { kind: 'hash', pointer, keySize: map.spec.key_size, seed, capacity, slotsCell, keysInSlots, valueOffset, ...(cpuStride !== undefined && { cpuStride }) };
  }
  return undefined;
}
