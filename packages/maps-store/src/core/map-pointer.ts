import type { Arena } from './arena.js';
import type { BpfMap } from './map.js';

/**
 * Map pointers: what `struct bpf_map *` is inside the kernel. Every map gets a small header block
 * in its arena; the block's address is the map's pointer — what an `lddw rX, map` loads, what a
 * map-in-map slot holds and what a program's lookup in an ARRAY_OF_MAPS / HASH_OF_MAPS returns.
 * The kernel (helpers, the JIT) maps a pointer back to the engine with mapAtPointer.
 *
 * Header layout (u32 words, little-endian), for code that reads a map pointer directly:
 *
 *   +0 map_type   +4 key_size   +8 value_size   +12 max_entries   +16 map_flags
 */
export const MAP_HEADER_SIZE = 24;

const byArena = new WeakMap<Arena, Map<number, BpfMap>>();
const pointers = new WeakMap<BpfMap, number>();

/** The map's pointer, allocating its header on first use (createMap does it at creation). */
export function mapPointer(map: BpfMap): number {
  const known = pointers.get(map);
  if (known !== undefined) return known;
  const address = map.arena.alloc(MAP_HEADER_SIZE);
  const { map_type, key_size, value_size, max_entries, map_flags } = map.spec;
  map.arena.u32.set([map_type, key_size, value_size, max_entries, map_flags], address >> 2);
  let maps = byArena.get(map.arena);
  if (!maps) byArena.set(map.arena, (maps = new Map()));
  maps.set(address, map);
  pointers.set(map, address);
  return address;
}

/** The map whose pointer is `address` in `arena`, or undefined (not a map pointer, or released). */
export function mapAtPointer(arena: Arena, address: number): BpfMap | undefined {
  return byArena.get(arena)?.get(address);
}

/** Forgets a map that is gone; its header is freed (reusable after the next grace period). */
export function releaseMapPointer(map: BpfMap): void {
  const address = pointers.get(map);
  if (address === undefined) return;
  pointers.delete(map);
  byArena.get(map.arena)?.delete(address);
  map.arena.free(address, MAP_HEADER_SIZE);
}
