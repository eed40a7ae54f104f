import { MapFlag, MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { BPF_MAP_STRUCT_SIZE, mapMemoryUsage } from './memory-usage.js';
import type { MapSpec } from './spec.js';

const spec = (map_type: number, key_size: number, value_size: number, max_entries: number, map_flags = 0): MapSpec => ({ map_type, key_size, value_size, max_entries, map_flags });

describe('map memory usage (bpf_map_memory_usage)', () => {
  it('array: value_size rounded to 8 per entry; per-CPU: a value per CPU and a pointer per entry; mmapable: whole pages', () => {
    expect(mapMemoryUsage(spec(MapType.ARRAY, 4, 12, 100), 4)).toBe(BPF_MAP_STRUCT_SIZE + 100 * 16);
    expect(mapMemoryUsage(spec(MapType.PERCPU_ARRAY, 4, 8, 10), 4)).toBe(BPF_MAP_STRUCT_SIZE + 10 * (8 * 4 + 8));
    expect(mapMemoryUsage(spec(MapType.ARRAY, 4, 8, 10, MapFlag.MMAPABLE), 1)).toBe(BPF_MAP_STRUCT_SIZE + 4096);
  });

  it('hash: buckets (max_entries rounded to a power of two) and every element (48 + key + value) plus one per CPU', () => {
    expect(mapMemoryUsage(spec(MapType.HASH, 4, 8, 1000), 4)).toBe(BPF_MAP_STRUCT_SIZE + 1024 * 16 + 1004 * (48 + 8 + 8));
    // LRU: no spare elements; per-CPU: a pointer in the element, the values per CPU.
    expect(mapMemoryUsage(spec(MapType.LRU_HASH, 4, 8, 1000), 4)).toBe(BPF_MAP_STRUCT_SIZE + 1024 * 16 + 1000 * 64);
    expect(mapMemoryUsage(spec(MapType.PERCPU_HASH, 4, 8, 16), 2)).toBe(BPF_MAP_STRUCT_SIZE + 16 * 16 + 16 * (48 + 8 + 8) + 16 * 8 * 2);
  });

  it('grows with max_entries and CPUs, never negative', () => {
    const small = mapMemoryUsage(spec(MapType.PERCPU_HASH, 8, 64, 100), 2);
    expect(mapMemoryUsage(spec(MapType.PERCPU_HASH, 8, 64, 200), 2)).toBeGreaterThan(small);
    expect(mapMemoryUsage(spec(MapType.PERCPU_HASH, 8, 64, 100), 8)).toBeGreaterThan(small);
    for (const type of [MapType.RINGBUF, MapType.QUEUE, MapType.LPM_TRIE, MapType.BLOOM_FILTER, MapType.STACK_TRACE, MapType.DEVMAP]) {
      expect(mapMemoryUsage(spec(type, 8, 8, 4096), 4)).toBeGreaterThan(BPF_MAP_STRUCT_SIZE);
    }
  });
});
