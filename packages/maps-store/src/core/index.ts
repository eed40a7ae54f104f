export { Arena, type ArenaOptions, NULL_GUARD } from './arena.js';
export { type MapSpec, checkCommonSpec, specError } from './spec.js';
export type { BpfMap } from './map.js';
export { ArrayMap } from './engines/array.js';
export { HashMap } from './engines/hash.js';
export { createMap, checkMapSpec } from './create.js';
export { MapDirectory, type MapInfo, type CreateRequest, type BatchPage } from './directory.js';
export { MAP_TYPES, type MapTypeSupport } from './engines/types.js';
