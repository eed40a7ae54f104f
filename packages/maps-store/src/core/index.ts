export { Arena, type ArenaOptions, NULL_GUARD } from './arena.js';
export { type MapSpec, checkMapSpec } from './spec.js';
export type { BpfMap } from './map.js';
export { ArrayMap } from './engines/array.js';
export { HashMap } from './engines/hash.js';
export { createMap } from './create.js';
