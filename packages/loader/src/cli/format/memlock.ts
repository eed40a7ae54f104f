import { MapType } from '@bpfhive/uapi';

/**
 * The `memlock` figure bpftool prints (from /proc/<pid>/fdinfo): the bytes a Linux 5.4–5.10
 * kernel charged for a map of this shape, whole pages. The maps-store reports no memory usage of
 * its own, so `map show` prints this estimate, which matches what those kernels print for hash
 * and array maps (e.g. hash, key 4, value 8, 1024 entries: 86016 bytes) and is of the right size
 * for the others.
 */
export interface MapShape {
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
}

const PAGE_SIZE = 4096;
/** sizeof(struct htab_elem), sizeof(struct bucket), sizeof(struct bpf_array) on x86-64. */
const HTAB_ELEM = 48;
const BUCKET = 16;
const BPF_ARRAY = 320;
const POINTER = 8;

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;
const pow2 = (n: number): number => (n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n)));

/** The estimate, for a kernel with `cpus` possible CPUs (per-CPU maps and hash free lists scale with it). */
export function memlockBytes(map: MapShape, cpus: number): number {
  return roundUp(Math.max(cost(map, cpus), 1), PAGE_SIZE);
}

function cost(map: MapShape, cpus: number): number {
  const { map_type: type, key_size, max_entries } = map;
  const value = roundUp(map.value_size, 8);
  switch (type) {
    case MapType.HASH:
    case MapType.LRU_HASH:
    case MapType.PERCPU_HASH:
    case MapType.LRU_PERCPU_HASH: {
      const percpu = type === MapType.PERCPU_HASH || type === MapType.LRU_PERCPU_HASH;
      const elem = HTAB_ELEM + roundUp(key_size, 8) + (percpu ? POINTER : value);
      const table = pow2(max_entries) * BUCKET + elem * max_entries;
      return table + (percpu ? value * cpus * max_entries : elem * cpus);
    }
    case MapType.ARRAY:
      return BPF_ARRAY + max_entries * value;
    case MapType.PERCPU_ARRAY:
      return BPF_ARRAY + max_entries * POINTER + max_entries * value * cpus;
    case MapType.RINGBUF:
    case MapType.USER_RINGBUF:
      return max_entries + 2 * PAGE_SIZE;
    default:
      return max_entries * roundUp(key_size + map.value_size, 8);
  }
}
