import { describe, expect, it } from 'vitest';
import { hashKey, hashWord, hashWords } from './key-hash.js';

describe('map key hash', () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 13, 16, 61])('map key hash - a %i-byte key hashes the same from bytes and from words', (size) => {
    const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 37 + 11) & 0xff);
    const padded = new Uint8Array(Math.ceil(size / 4) * 4);
    padded.set(bytes);
    const words = new Uint32Array(padded.buffer);
    for (const seed of [0, 0x9e3779b9]) {
      const h = hashKey(seed, size, bytes, 0);
      expect(hashWords(seed, size, words, words.length)).toBe(h);
      if (size <= 4) expect(hashWord(seed, size, words[0]!)).toBe(h);
    }
  });

  it('map key hash - hashWords from an offset in a longer array (a slot array) hashes those words alone', () => {
    const words = Uint32Array.from([7, 0x01020304, 0xa0b0c0d0, 0x0000ffee, 9]);
    expect(hashWords(0x9e3779b9, 11, words, 3, 1)).toBe(hashWords(0x9e3779b9, 11, words.slice(1, 4), 3));
    expect(hashWords(0x9e3779b9, 11, words, 3, 1)).not.toBe(hashWords(0x9e3779b9, 11, words, 3, 0));
  });

  it('map key hash - the seed and the key size change the hash', () => {
    const key = new Uint8Array([1, 2, 3, 4]);
    expect(hashKey(1, 4, key, 0)).not.toBe(hashKey(2, 4, key, 0));
    expect(hashKey(1, 4, key, 0)).not.toBe(hashKey(1, 3, key, 0));
  });
});
