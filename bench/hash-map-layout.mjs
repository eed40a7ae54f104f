/**
 * From a maps-store HASH / PERCPU_HASH map to the JIT's hash descriptor (compile option `maps`,
 * `{ kind: 'hash', … }`, packages/jit/src/kernel/hash-table.ts): the fields the kernel-sim must
 * pass, computed here from the map's spec the way the engine of 066a6a7
 * (packages/maps-store/src/core/engines/hash.ts) lays its table out:
 *
 *   keySize      spec.key_size
 *   seed         the engine's #seed (0 with BPF_F_ZERO_SEED; otherwise random and, so far, private)
 *   capacity     2 ** ceil(log2(max(2 * max_entries, 2)))
 *   slotsCell    the address of a u32 holding the slot array's address (#slotsW * 4), rewritten
 *                when #rebuild() moves the array — the engine has no such cell yet
 *   keysInSlots  ceil(key_size / 4) <= 4 (INLINE_KEY_WORDS)
 *   valueOffset  round8(key_size)
 *   cpuStride    PERCPU_HASH only: round8(value_size)
 *
 * Until the engine keeps the cell (an Atomics.store of the new array's address at the end of
 * #rebuild and in the constructor) and tells its seed, this shim does both from outside: maps are
 * created with BPF_F_ZERO_SEED, in a SlotsCellArena that writes the cell whenever the engine
 * allocates a slot array (at creation, the first block of the slot array's size; after it, every
 * block of that size: a rebuild, since a preallocated map allocates nothing else). Benchmarks and
 * checks only: one map per arena, single-threaded.
 */
import { Arena, createMap, mapPointer } from '@bpfhive/maps-store';

const HASH = 1;
const PERCPU_HASH = 5;
const ZERO_SEED = 64;
const INLINE_KEY_WORDS = 4;

const round8 = (n) => Math.ceil(n / 8) * 8;

/** The engine's slot array layout for a spec. */
function slotLayout(spec) {
  const words = Math.ceil(spec.key_size / 4);
  const keysInSlots = words <= INLINE_KEY_WORDS;
  const capacity = 2 ** Math.ceil(Math.log2(Math.max(2 * spec.max_entries, 2)));
  return { keysInSlots, capacity, bytes: capacity * 4 * (1 + (keysInSlots ? words : 1)) };
}

/** An Arena that keeps the u32 at `cell` equal to the address of the watched map's slot array. */
export class SlotsCellArena extends Arena {
  #watch;

  /** Watches allocations of `bytes` (a slot array's size) for the map about to be created. */
  watch(bytes, cell) {
    this.#watch = { bytes, cell, seen: false, created: false };
  }

  /** The map is created: from now on, every slot-array-sized block is a rebuild's. */
  created() {
    this.#watch.created = true;
  }

  alloc(size, align) {
    const address = super.alloc(size, align);
    const w = this.#watch;
    if (w && size === w.bytes && (!w.seen || w.created)) {
      this.u32[w.cell >> 2] = address;
      w.seen = true;
    }
    return address;
  }
}

/**
 * A HASH (or PERCPU_HASH, `percpu`) map in `arena` (a SlotsCellArena) with its descriptor:
 * { map, pointer, descriptor }. Its pointer is the engine's (mapPointer), as a kernel's would be.
 */
export function createHashMap(arena, { keySize, valueSize, maxEntries, percpu = false, cpus = 1 }) {
  const spec = { map_type: percpu ? PERCPU_HASH : HASH, key_size: keySize, value_size: valueSize, max_entries: maxEntries, map_flags: ZERO_SEED };
  const layout = slotLayout(spec);
  const cell = arena.alloc(8);
  arena.watch(layout.bytes, cell);
  const map = createMap(spec, arena, cpus);
  arena.created();
  const pointer = mapPointer(map);
  const descriptor = {
    kind: 'hash',
    pointer,
    keySize,
    seed: 0,
    capacity: layout.capacity,
    slotsCell: cell,
    keysInSlots: layout.keysInSlots,
    valueOffset: round8(keySize),
    ...(percpu && { cpuStride: round8(valueSize) }),
  };
  return { map, pointer, descriptor };
}
