import type { BpfMap } from '@bpfhive/maps-store';
import { MapType } from '@bpfhive/uapi';
import type { KernelMemory } from '../memory/kernel-memory.js';

/**
 * Reads a BPF_MAP_TYPE_PROG_ARRAY: the program id in slot `index`, or undefined for an empty slot
 * or an index past the end. maps-store's PROG_ARRAY engine answers `programAt(index)` (0: empty);
 * any other map of that type is read through its program-side lookup as a u32 program id.
 * `scratch` is 4 bytes of kernel memory for the key.
 */
export interface ProgArrayReader {
  programAt(map: BpfMap, index: number, cpu: number, scratch: number): number | undefined;
}

interface ProgArrayEngine extends BpfMap {
  programAt(index: number): number;
}

export function arrayBackedProgArray(memory: KernelMemory): ProgArrayReader {
  return {
    programAt(map, index, cpu, scratch) {
      if (map.spec.map_type !== MapType.PROG_ARRAY || index >= map.spec.max_entries) return undefined;
      let id: number;
      if ('programAt' in map) id = (map as ProgArrayEngine).programAt(index);
      else {
        memory.setU32(scratch, index);
        const value = map.lookupAddress(scratch, cpu);
        id = value === 0 ? 0 : memory.u32(value);
      }
      return id === 0 ? undefined : id;
    },
  };
}

/** MAX_TAIL_CALL_CNT. */
export const MAX_TAIL_CALLS = 33;
