import { type HashInlineMap, checkHashInlineMap } from './hash-table.js';

/**
 * Maps whose `bpf_map_lookup_elem` the JIT does in wasm itself, described as plain data (compile
 * option `maps`, filled by the kernel from its map engines): a lookup it can prove goes to one of
 * them becomes address arithmetic for the arrays, as Linux's map_gen_lookup does
 * (array_map_gen_lookup, percpu_array_map_gen_lookup, array_of_map_gen_lookup), and a probe of
 * the table for hash maps, as htab_map_gen_lookup calls __htab_map_lookup_elem.
 *
 * `pointer` is the map's pointer: what an `lddw rX, map` loads once the kernel has rewritten the
 * map reference into a constant. Every address is a byte offset into the kernel's memory.
 *
 * - `array` (BPF_MAP_TYPE_ARRAY): element i at valuesBase + i * stride (maps-store: stride =
 *   round_up(value_size, 8), contiguous, as the kernel's bpf_array);
 * - `percpu_array`: CPU c's copy of element i at valuesBase + i * stride + c * cpuStride; the CPU
 *   is the one in the kernel data block (kernel-data.ts), so inlining it needs `inlineKernelData`;
 * - `array_of_maps`: slot i a u32 at slotsBase + 4 * i holding the inner map's pointer, 0 when
 *   empty; the lookup returns that u32 (NULL for an empty slot);
 * - `hash` (HASH, PERCPU_HASH, and LRU maps laid out the same way): the maps-store's open-addressed
 *   table, probed by a function of the module's own (hash-table.ts: the layout and the fields);
 *   a per-CPU one needs `inlineKernelData` too.
 *
 * For the arrays, a key (a u32 read at r2) at or past maxEntries gives NULL. Linux also masks the
 * index after the bound check (index & index_mask) for unprivileged programs against speculation;
 * the masked index equals the index there, so the result is the same and the mask is not modelled.
 */
export type InlineMap = ArrayInlineMap | PercpuArrayInlineMap | ArrayOfMapsInlineMap | HashInlineMap;

export interface ArrayInlineMap {
  readonly kind: 'array';
  readonly pointer: number;
  readonly valuesBase: number;
  readonly stride: number;
  readonly maxEntries: number;
}

export interface PercpuArrayInlineMap {
  readonly kind: 'percpu_array';
  readonly pointer: number;
  readonly valuesBase: number;
  readonly stride: number;
  readonly cpuStride: number;
  readonly maxEntries: number;
}

export interface ArrayOfMapsInlineMap {
  readonly kind: 'array_of_maps';
  readonly pointer: number;
  readonly slotsBase: number;
  readonly maxEntries: number;
}

export type { HashInlineMap };

/** Bytes of one slot of an array of maps (maps-store's FdArrayMap: a u32 per slot). */
export const MAP_SLOT_BYTES = 4;

const U32_MAX = 0xffff_ffff;

/**
 * The descriptors by pointer, checked: non-negative integer addresses below 4 GiB, a non-zero
 * pointer given once, at least one entry, strides of at least one byte, the last element inside
 * 4 GiB (for a hash map, its own fields: checkHashInlineMap). Throws RangeError naming the first
 * bad descriptor.
 */
export function indexInlineMaps(maps: readonly InlineMap[]): ReadonlyMap<bigint, InlineMap> {
  const out = new Map<bigint, InlineMap>();
  maps.forEach((map, k) => {
    const bad = (why: string): never => {
      throw new RangeError(`inline maps: descriptor ${k} (${map.kind} at pointer ${map.pointer}): ${why}`);
    };
    const u32 = (name: string, value: number, min = 0): void => {
      if (!Number.isInteger(value) || value < min || value > U32_MAX) bad(`${name} must be an integer in [${min}, 2^32)`);
    };
    u32('pointer', map.pointer, 1);
    if (map.kind !== 'hash') u32('maxEntries', map.maxEntries, 1);
    const last = lastByte(map, bad, u32);
    if (last > U32_MAX) bad('its last element lies past 4 GiB');
    if (out.has(BigInt(map.pointer))) bad('another descriptor has the same pointer');
    out.set(BigInt(map.pointer), map);
  });
  return out;
}

/** The address just past the map's last element (checking its own fields). */
function lastByte(map: InlineMap, bad: (why: string) => never, u32: (name: string, value: number, min?: number) => void): number {
  switch (map.kind) {
    case 'array':
      u32('valuesBase', map.valuesBase);
      u32('stride', map.stride, 1);
      return map.valuesBase + map.maxEntries * map.stride;
    case 'percpu_array':
      u32('valuesBase', map.valuesBase);
      u32('stride', map.stride, 1);
      u32('cpuStride', map.cpuStride, 1);
      return map.valuesBase + map.maxEntries * map.stride;
    case 'array_of_maps':
      u32('slotsBase', map.slotsBase);
      return map.slotsBase + map.maxEntries * MAP_SLOT_BYTES;
    case 'hash':
      checkHashInlineMap(map, bad, u32);
      return map.slotsCell + 4;
    default:
      return bad(`unknown kind ${(map as { kind: string }).kind}`);
  }
}
