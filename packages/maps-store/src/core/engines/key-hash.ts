/**
 * The key hash of the hash-table maps (HASH, PERCPU_HASH, LRU_*): murmur3's mixing over the key's
 * 32-bit little-endian words, an FNV step per tail byte, murmur3's finaliser. `seed` is random
 * per map unless BPF_F_ZERO_SEED, as the kernel seeds jhash.
 */
export function hashKey(seed: number, keySize: number, buf: Uint8Array, at: number): number {
  let h = seed ^ keySize;
  let i = 0;
  for (; i + 4 <= keySize; i += 4) {
    const w = buf[at + i]! | (buf[at + i + 1]! << 8) | (buf[at + i + 2]! << 16) | (buf[at + i + 3]! << 24);
    h = Math.imul(h ^ Math.imul(w, 0xcc9e2d51), 0x1b873593);
    h = (h << 13) | (h >>> 19);
  }
  for (; i < keySize; i++) h = Math.imul(h ^ buf[at + i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
