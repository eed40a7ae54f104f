/**
 * @bpfhive/maps-store — map engines with kernel semantics (a library the kernel-sim uses too).
 * core/: the arena, an engine per map type (MAP_TYPES), the ports a kernel implements, map
 * pointers, the map commands, records and images, the directory with pins and leases.
 * service/: the maps service, and serveMapCommand for a kernel answering the maps it leases.
 */
export * from './core/index.js';
export { serveMapCommand, MAP_DATA_COMMANDS } from './service/map-command-handler.js';
