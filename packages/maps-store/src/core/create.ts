import { BpfError, mapTypeName } from '@bpfhive/uapi';
import type { Arena } from './arena.js';
import { MAP_TYPES } from './engines/types.js';
import type { BpfMap } from './map.js';
import { mapPointer } from './map-pointer.js';
import type { MapPorts } from './ports.js';
import { type MapSpec, checkCommonSpec } from './spec.js';

/**
 * The kernel's create-time checks for a spec: the common ones, then the type's. EINVAL for a
 * field that is wrong or a flag the type does not take, E2BIG for a key or value too large,
 * EINVAL for a map type bpfhive does not implement yet (the kernel's answer to an unknown type).
 */
export function checkMapSpec(spec: MapSpec): void {
  const support = MAP_TYPES.get(spec.map_type);
  if (!support) throw new BpfError('EINVAL', `map create (${mapTypeName(spec.map_type) ?? spec.map_type}): this map type is not supported yet`);
  checkCommonSpec(spec, support.allowedFlags);
  support.check(spec);
}

/**
 * Creates a map of any implemented type in `arena`, after the kernel's create-time checks, with
 * its map pointer (map-pointer.ts). `cpus` is the number of possible CPUs; `ports` the kernel
 * objects its values may name (none: detached, see ports.ts).
 */
export function createMap(spec: MapSpec, arena: Arena, cpus = 1, ports: MapPorts = {}): BpfMap {
  checkMapSpec(spec);
  const map = MAP_TYPES.get(spec.map_type)!.create(spec, arena, cpus, ports);
  mapPointer(map);
  return map;
}
