import { MapType } from '@bpfhive/uapi';
import type { Arena } from './arena.js';
import { ArrayMap } from './engines/array.js';
import { HashMap } from './engines/hash.js';
import type { BpfMap } from './map.js';
import { type MapSpec, checkMapSpec } from './spec.js';

/** Creates a map of any implemented type in `arena`, after the kernel's create-time checks. */
export function createMap(spec: MapSpec, arena: Arena, cpus = 1): BpfMap {
  checkMapSpec(spec);
  switch (spec.map_type) {
    case MapType.ARRAY:
    case MapType.PERCPU_ARRAY:
      return new ArrayMap(spec, arena, cpus);
    default:
      return new HashMap(spec, arena, cpus);
  }
}
