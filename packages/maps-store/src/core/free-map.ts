import type { BpfMap } from './map.js';
import { releaseMapPointer } from './map-pointer.js';
import { clearMap } from './records.js';

/**
 * Frees a map nothing holds any more (bpf_map_free): its elements are deleted (releasing the kernel
 * objects they name: programs of a PROG_ARRAY, inner maps of a map of maps, devices, sockets…),
 * its map pointer is forgotten and its engine gives every block it allocated back to the arena
 * (BpfMap.dispose), listeners included. The map must not be used afterwards.
 *
 * RCU: the arena makes freed blocks reusable only at its next quiescent() — the caller's grace
 * period. The maps-store runs no program and calls it at once; a kernel calls it when no CPU
 * can still hold a pointer into the map.
 */
export function freeMap(map: BpfMap): void {
  clearMap(map);
  releaseMapPointer(map);
  map.dispose?.();
}
