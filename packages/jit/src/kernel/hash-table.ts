/**
 * A hash map's table as the JIT probes it in wasm (compiler/hash-lookup.ts) and as
 * inlineMapsLookupHelper probes it in JavaScript (hashLookup below): the maps-store's HASH engine
 * (packages/maps-store/src/core/engines/hash.ts, as committed in 066a6a7), open addressing over
 * elements that never move. Every address is a byte offset into the kernel's memory; words are
 * little-endian u32s.
 *
 *   slot array  `capacity` slots (a power of two), probed linearly from hash & (capacity - 1).
 *               The engine moves it when it rebuilds the table (sweeping tombstones), so its
 *               address is read from the u32 at `slotsCell` at every lookup.
 *   slot        u32 link: 0 empty (ends a probe), 1 a tombstone (a deleted key: the probe goes
 *               on), else the element's address; then, with `keysInSlots`, the key itself as
 *               ceil(keySize / 4) words (the last zero-padded), else the key's u32 hash (the key
 *               is compared in the element).
 *   element     the key, zero-padded (`valueOffset` bytes, round8(keySize)), then the value; a
 *               per-CPU map's values are `cpuStride` (round8(valueSize)) apart, CPU 0 first.
 *
 * The hash (maps-store key-hash.ts, mirrored here: the bench's hashcount check compares both
 * engines' lookups over the engine's own tables): from seed ^ keySize, for each little-endian key
 * word w (the last zero-padded) h = rotl32((h ^ (w * C1)) * C2, 13), then murmur3's finaliser.
 *
 * A lookup hashes the key at r2, probes at most `capacity` slots (the engine keeps a quarter of
 * them empty, so a probe ends at an empty slot long before) and returns the value's address in
 * the first live slot holding the key (link + valueOffset, + cpu * cpuStride for a per-CPU map,
 * the CPU from the kernel data block), NULL when it meets an empty slot first. It reads the cell
 * and the slots afresh each time, so it sees every update JavaScript made before it on its thread
 * (a delete, a rebuild that moved the table). The engine writes a new slot's key words before its
 * link (Atomics.store; links are read atomically here) and frees a deleted element or an old slot
 * array only after a grace period, so a lookup racing an update on another thread reads memory
 * that is still the table's. Nor does it reuse a deleted key's slot (a tombstone) before a grace
 * period, so the key words a lookup compares after reading a live link are the ones that link was
 * published with: a delete and an insert between the two reads cannot pair the deleted key's
 * element with the new key (maps-store hash-race.test.ts). Keep this order: link, then key.
 *
 * LRU: Linux's htab_lru_map_lookup_elem (and the code htab_lru_map_gen_lookup inlines) marks the
 * element referenced with bpf_lru_node_set_ref, a store of 1 to the node's ref byte only when it
 * reads 0. With `refOffset`, a hit does the same to the byte at link + refOffset: for an LRU map
 * laid out as this table with the ref byte in its element (the maps-store's LRU engine of
 * 066a6a7 is not: chained buckets of element indexes, ref bits in a JavaScript array).
 */
export interface HashInlineMap {
  readonly kind: 'hash';
  /** The map's pointer (what `lddw rX, map` loads). */
  readonly pointer: number;
  /** Key bytes, 1 to 512. */
  readonly keySize: number;
  /** The map's hash seed, a u32 (0 with BPF_F_ZERO_SEED). */
  readonly seed: number;
  /** Slots in the table: a power of two. */
  readonly capacity: number;
  /** Address of the u32 holding the slot array's current address (4-aligned). */
  readonly slotsCell: number;
  /** Whether slots hold the keys themselves (the engine's keys of up to 16 bytes) or their hashes. */
  readonly keysInSlots: boolean;
  /** Bytes from an element's address to its value (round8(keySize)). */
  readonly valueOffset: number;
  /** PERCPU_HASH: bytes from one CPU's value to the next; absent for one value per element. */
  readonly cpuStride?: number;
  /** LRU: offset from the element's address of its ref byte, set on a hit; absent otherwise. */
  readonly refOffset?: number;
}

/** Slot links below this are not elements. */
export const HASH_EMPTY = 0;
export const HASH_TOMBSTONE = 1;

/** Largest key a hash map takes (MAX_BPF_STACK). */
const MAX_KEY_SIZE = 512;

/** u32 words of a key. */
export const keyWords = (map: HashInlineMap): number => Math.ceil(map.keySize / 4);

/** u32 words of a slot: the link, then the key or its hash. */
export const slotWords = (map: HashInlineMap): number => 1 + (map.keysInSlots ? keyWords(map) : 1);

/** Checks a hash descriptor's own fields (inline-maps.ts indexInlineMaps calls it); `bad` throws. */
export function checkHashInlineMap(map: HashInlineMap, bad: (why: string) => never, u32: (name: string, value: number, min?: number) => void): void {
  if (!Number.isInteger(map.keySize) || map.keySize < 1 || map.keySize > MAX_KEY_SIZE) bad(`keySize must be an integer in [1, ${MAX_KEY_SIZE}]`);
  u32('seed', map.seed);
  u32('capacity', map.capacity, 1);
  if ((map.capacity & (map.capacity - 1)) !== 0 || map.capacity > 2 ** 31) bad('capacity must be a power of two up to 2^31');
  u32('slotsCell', map.slotsCell);
  if (map.slotsCell % 4 !== 0) bad('slotsCell must be 4-aligned');
  if (typeof map.keysInSlots !== 'boolean') bad('keysInSlots must be a boolean');
  u32('valueOffset', map.valueOffset, map.keySize);
  if (map.cpuStride !== undefined) u32('cpuStride', map.cpuStride, 1);
  if (map.refOffset !== undefined) u32('refOffset', map.refOffset);
}

/** The hash's constants (murmur3's). */
export const HASH_C1 = 0xcc9e2d51;
export const HASH_C2 = 0x1b873593;
export const HASH_ROTATE = 13;
export const FMIX_M1 = 0x85ebca6b;
export const FMIX_M2 = 0xc2b2ae35;

/** The hash of a key of `keySize` bytes given as its u32 words (the last zero-padded). */
export function hashKeyWords(seed: number, keySize: number, words: ArrayLike<number>): number {
  let h = seed ^ keySize;
  for (let i = 0; i < words.length; i++) {
    const m = Math.imul(h ^ Math.imul(words[i]!, HASH_C1), HASH_C2);
    h = (m << HASH_ROTATE) | (m >>> (32 - HASH_ROTATE));
  }
  h ^= h >>> 16;
  h = Math.imul(h, FMIX_M1);
  h ^= h >>> 13;
  h = Math.imul(h, FMIX_M2);
  return (h ^ (h >>> 16)) >>> 0;
}

/** What the JavaScript lookup needs of the kernel's memory. */
export interface HashTableMemory {
  /** The u32 at a 4-aligned address. */
  u32(address: number): number;
  u8(address: number): number;
  setU8(address: number, value: number): void;
}

/** The key at `address` as its u32 words, the last zero-padded. */
function readKey(memory: HashTableMemory, map: HashInlineMap, address: number): number[] {
  const words = new Array<number>(keyWords(map)).fill(0);
  for (let i = 0; i < map.keySize; i++) words[i >> 2] = (words[i >> 2]! | (memory.u8(address + i) << (8 * (i & 3)))) >>> 0;
  return words;
}

/**
 * The lookup the JIT compiles, in JavaScript: the value's address for the key at `keyAddress`
 * (CPU `cpu`'s for a per-CPU map), 0 when the key is not in the table; marks an LRU hit.
 */
export function hashLookup(memory: HashTableMemory, map: HashInlineMap, keyAddress: number, cpu: number): number {
  const key = readKey(memory, map, keyAddress);
  const hash = hashKeyWords(map.seed, map.keySize, key);
  const slots = memory.u32(map.slotsCell);
  const stride = 4 * slotWords(map);
  const mask = map.capacity - 1;
  for (let i = hash & mask, left = map.capacity; left > 0; i = (i + 1) & mask, left--) {
    const slot = slots + i * stride;
    const link = memory.u32(slot);
    if (link === HASH_EMPTY) return 0;
    if (link === HASH_TOMBSTONE) continue;
    const holds = map.keysInSlots ? key.every((w, k) => memory.u32(slot + 4 + 4 * k) === w) : memory.u32(slot + 4) === hash && key.every((w, k) => memory.u32(link + 4 * k) === w);
    if (!holds) continue;
    if (map.refOffset !== undefined && memory.u8(link + map.refOffset) === 0) memory.setU8(link + map.refOffset, 1);
    return link + map.valueOffset + (map.cpuStride === undefined ? 0 : cpu * map.cpuStride);
  }
  return 0;
}
