/**
 * The key hash of the hash-table maps (HASH, PERCPU_HASH, LRU_*, and the tables inside
 * HASH_OF_MAPS and DEVMAP_HASH): murmur3's mixing over the key's 32-bit little-endian words (a
 * last partial word zero-padded), then murmur3's finaliser. `seed` is random per map unless
 * BPF_F_ZERO_SEED, as the kernel seeds jhash; a u32 or the same bits as an int32 give the same hash.
 *
 * Three entry points, one function: hashWords over words already loaded, hashWord for a key of at
 * most 4 bytes (the hot path), hashKey over bytes.
 */
/** murmur3's constants: the word mix's multipliers, then the finaliser's (hash-probe-wasm.ts builds the same hash). */
export const HASH_C1 = 0xcc9e2d51;
export const HASH_C2 = 0x1b873593;
export const FMIX_M1 = 0x85ebca6b;
export const FMIX_M2 = 0xc2b2ae35;

const mix = (h: number, word: number): number => {
  const m = Math.imul(h ^ Math.imul(word, HASH_C1), HASH_C2);
  return (m << 13) | (m >>> 19);
};

const finish = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, FMIX_M1);
  h ^= h >>> 13;
  h = Math.imul(h, FMIX_M2);
  return (h ^ (h >>> 16)) >>> 0;
};

/** The hash of a key of `keySize` bytes held in `count` = ceil(keySize / 4) words of `words` from `from` (the tail zero-padded). */
export function hashWords(seed: number, keySize: number, words: Uint32Array, count: number, from = 0): number {
  let h = seed ^ keySize;
  for (let i = from; i < from + count; i++) h = mix(h, words[i]!);
  return finish(h);
}

/** hashWords for a key of 1 to 4 bytes, its one word given. */
export function hashWord(seed: number, keySize: number, word: number): number {
  return finish(mix(seed ^ keySize, word));
}

/** The hash of `keySize` bytes of `buf` from `at`. */
export function hashKey(seed: number, keySize: number, buf: Uint8Array, at: number): number {
  let h = seed ^ keySize;
  for (let i = 0; i < keySize; i += 4) {
    let w = 0;
    for (let b = Math.min(3, keySize - i - 1); b >= 0; b--) w = (w << 8) | buf[at + i + b]!;
    h = mix(h, w);
  }
  return finish(h);
}
