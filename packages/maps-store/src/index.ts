/**
 * @bpfhive/maps-store — map engines with kernel semantics (a library the kernel-sim uses too).
 * So far: the arena, the engines of MAP_TYPES, the map directory and the maps service (service/).
 */
export * from './core/index.js';
