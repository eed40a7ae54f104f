import { MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { type MapSpec, checkCommonSpec } from '../spec.js';
import { type BloomFilterMap, bloomBitset, bloomFilterMapType, jhash } from './bloom-filter.js';
import { isPushPopMap } from './queue-stack.js';

const spec = (value_size: number, max_entries: number, map_extra?: number, map_flags = 0, key_size = 0): MapSpec => ({
  map_type: MapType.BLOOM_FILTER,
  key_size,
  value_size,
  max_entries,
  map_flags,
  ...(map_extra === undefined ? {} : { map_extra }),
});
const create = (s: MapSpec, arena = new Arena({ initialPages: 4 })): BloomFilterMap => {
  checkCommonSpec(s, bloomFilterMapType.allowedFlags);
  bloomFilterMapType.check(s);
  return bloomFilterMapType.create(s, arena, 1) as BloomFilterMap;
};
const NONE = new Uint8Array(0);
const code = (c: string) => expect.objectContaining({ code: c });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Value number `i` of `size` bytes: i little-endian, then a fixed pattern. */
const valueOf = (i: number, size: number): Uint8Array => {
  const v = new Uint8Array(size);
  for (let b = 0; b < size; b++) v[b] = b < 4 ? (i >>> (8 * b)) & 0xff : (b * 37 + 11) & 0xff;
  return v;
};

/** An independent jhash2 (over u32 words) to check jhash against for 4-byte-aligned sizes. */
function jhash2(words: Uint32Array, initval: number): number {
  const rol = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  let a = (0xdeadbeef + (words.length << 2) + initval) >>> 0;
  let b = a;
  let c = a;
  let n = words.length;
  let k = 0;
  while (n > 3) {
    a = (a + words[k]!) >>> 0;
    b = (b + words[k + 1]!) >>> 0;
    c = (c + words[k + 2]!) >>> 0;
    a = ((a - c) >>> 0) ^ rol(c, 4); c = (c + b) >>> 0;
    b = ((b - a) >>> 0) ^ rol(a, 6); a = (a + c) >>> 0;
    c = ((c - b) >>> 0) ^ rol(b, 8); b = (b + a) >>> 0;
    a = ((a - c) >>> 0) ^ rol(c, 16); c = (c + b) >>> 0;
    b = ((b - a) >>> 0) ^ rol(a, 19); a = (a + c) >>> 0;
    c = ((c - b) >>> 0) ^ rol(b, 4); b = (b + a) >>> 0;
    n -= 3;
    k += 3;
  }
  if (n === 0) return c;
  if (n === 3) c = (c + words[k + 2]!) >>> 0;
  if (n >= 2) b = (b + words[k + 1]!) >>> 0;
  a = (a + words[k]!) >>> 0;
  c = ((c ^ b) - rol(b, 14)) >>> 0;
  a = ((a ^ c) - rol(c, 11)) >>> 0;
  b = ((b ^ a) - rol(a, 25)) >>> 0;
  c = ((c ^ b) - rol(b, 16)) >>> 0;
  a = ((a ^ c) - rol(c, 4)) >>> 0;
  b = ((b ^ a) - rol(a, 14)) >>> 0;
  c = ((c ^ b) - rol(b, 24)) >>> 0;
  return c;
}

describe('map bloom_filter - jhash', () => {
  /** lookup3's hashlittle written byte by byte: the reference for every length. */
  const reference = (bytes: Uint8Array, initval: number): number => {
    const rol = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
    const s = [0, 0, 0].map(() => (0xdeadbeef + bytes.length + initval) >>> 0) as [number, number, number];
    const mix = () => {
      let [a, b, c] = s;
      a = ((a - c) >>> 0) ^ rol(c, 4); c = (c + b) >>> 0;
      b = ((b - a) >>> 0) ^ rol(a, 6); a = (a + c) >>> 0;
      c = ((c - b) >>> 0) ^ rol(b, 8); b = (b + a) >>> 0;
      a = ((a - c) >>> 0) ^ rol(c, 16); c = (c + b) >>> 0;
      b = ((b - a) >>> 0) ^ rol(a, 19); a = (a + c) >>> 0;
      c = ((c - b) >>> 0) ^ rol(b, 4); b = (b + a) >>> 0;
      s.splice(0, 3, a >>> 0, b >>> 0, c >>> 0);
    };
    let i = 0;
    for (; bytes.length - i > 12; i += 12) {
      for (let j = 0; j < 12; j++) s[j >> 2] = (s[j >> 2]! + bytes[i + j]! * 2 ** (8 * (j & 3))) % 2 ** 32;
      mix();
    }
    if (bytes.length - i === 0) return s[2];
    for (let j = 0; i + j < bytes.length; j++) s[j >> 2] = (s[j >> 2]! + bytes[i + j]! * 2 ** (8 * (j & 3))) % 2 ** 32;
    let [a, b, c] = s;
    c = ((c ^ b) - rol(b, 14)) >>> 0;
    a = ((a ^ c) - rol(c, 11)) >>> 0;
    b = ((b ^ a) - rol(a, 25)) >>> 0;
    c = ((c ^ b) - rol(b, 16)) >>> 0;
    a = ((a ^ c) - rol(c, 4)) >>> 0;
    b = ((b ^ a) - rol(a, 14)) >>> 0;
    c = ((c ^ b) - rol(b, 24)) >>> 0;
    return c;
  };

  it('map bloom_filter - jhash matches a byte-by-byte lookup3 for every length 0..40 and several seeds', () => {
    for (let length = 0; length <= 40; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 151 + length * 7 + 0x80) & 0xff);
      for (const seed of [0, 5, 0x7fffffff, 0xffffffff]) expect(jhash(bytes, 0, length, seed)).toBe(reference(bytes, seed));
    }
  });

  it.each([
    ['the empty string, initval 0', '', 0, 0xdeadbeef],
    ['"Four score and seven years ago", initval 0', 'Four score and seven years ago', 0, 0x17770551],
    ['"Four score and seven years ago", initval 1', 'Four score and seven years ago', 1, 0xcd628161],
  ])('map bloom_filter - jhash of %s is lookup3 hashlittle', (_title, input, initval, expected) => {
    const bytes = text(input);
    expect(jhash(bytes, 0, bytes.length, initval)).toBe(expected);
  });

  it('map bloom_filter - jhash reads from an offset and never past the length', () => {
    const bytes = text('xxFour score and seven years agoyy');
    expect(jhash(bytes, 2, 30, 0)).toBe(0x17770551);
  });

  it.each([4, 8, 12, 16, 20, 24, 28, 64])('map bloom_filter - jhash equals jhash2 for a %i-byte value (the kernel uses jhash2 then)', (size) => {
    for (let i = 0; i < 50; i++) {
      const v = valueOf(i * 7919, size);
      const words = new Uint32Array(v.buffer.slice(0));
      for (const seed of [0, 1, 0xffffffff, 123456789]) expect(jhash(v, 0, size, seed)).toBe(jhash2(words, seed));
    }
  });
});

describe('map bloom_filter - create checks and sizing', () => {
  it.each([
    ['a 4-byte key', spec(4, 100, 0, 0, 4), 'EINVAL', /key_size must be 0/],
    ['a zero value size', spec(0, 100), 'EINVAL', /value_size must be at least 1/],
    ['no entries', spec(4, 0), 'EINVAL', /max_entries must be at least 1/],
    ['map_extra 16 (more than 15 hash functions)', spec(4, 100, 16), 'EINVAL', /map_extra 16/],
    ['map_extra with a high bit', spec(4, 100, 2 ** 40 + 3), 'EINVAL', /map_extra/],
    ['a value larger than KMALLOC_MAX_SIZE', spec((1 << 22) + 1, 100), 'E2BIG', /larger than 4194304/],
    ['a value larger than KMALLOC_MAX_SIZE and a key (the size check comes first)', spec((1 << 22) + 1, 100, 0, 0, 4), 'E2BIG', /larger than/],
    ['BPF_F_NO_PREALLOC', spec(4, 100, 0, MapFlag.NO_PREALLOC), 'EINVAL', /map_flags 0x1 has bits/],
    ['BPF_F_MMAPABLE', spec(4, 100, 0, MapFlag.MMAPABLE), 'EINVAL', /map_flags 0x400 has bits/],
  ])('map bloom_filter - create with %s fails with %s', (_title, s, errno, message) => {
    expect(() => create(s)).toThrow(message);
    expect(() => create(s)).toThrow(code(errno));
  });

  it.each([
    ['map_extra absent', undefined, 5],
    ['map_extra 0', 0, 5],
    ['map_extra 1', 1, 1],
    ['map_extra 3', 3, 3],
    ['map_extra 15', 15, 15],
  ])('map bloom_filter - %s gives %i hash functions', (_title, extra, expected) => {
    expect(create(spec(4, 100, extra)).nrHashFuncs).toBe(expected);
  });

  it.each([
    ['BPF_F_ZERO_SEED', MapFlag.ZERO_SEED],
    ['BPF_F_NUMA_NODE', MapFlag.NUMA_NODE],
    ['BPF_F_RDONLY_PROG', MapFlag.RDONLY_PROG],
    ['BPF_F_WRONLY', MapFlag.WRONLY],
  ])('map bloom_filter - create with %s is accepted', (_title, flags) => {
    expect(create(spec(4, 100, 0, flags)).nrHashFuncs).toBe(5);
  });

  it.each([
    // max_entries, hash functions -> bits (max_entries * k / 5 * 7, at least 64, next power of two)
    [1, 5, 64, 8],
    [3, 1, 64, 8],
    [9, 5, 64, 8],
    [10, 5, 128, 16],
    [1000, 5, 8192, 1024],
    [1000, 15, 32768, 4096],
    [4096, 1, 8192, 1024],
    // nr_bits just at 2^31 is kept (306783378 * 5 / 5 * 7 = 2147483646)
    [306783378, 5, 2 ** 31, 2 ** 28],
    // over 2^31 after the 7/5 scaling: 2^32 bits
    [306783380, 5, 2 ** 32, 2 ** 29],
    // max_entries * k overflows a u32: 2^32 bits
    [2 ** 31, 2, 2 ** 32, 2 ** 29],
    [0xffffffff, 15, 2 ** 32, 2 ** 29],
    // max_entries * k fits but (… / 5) * 7 overflows a u32: 2^32 bits
    [613566757, 5, 2 ** 32, 2 ** 29],
  ])('map bloom_filter - %i entries with %i hash functions: %i bits in %i bytes', (maxEntries, k, bits, bytes) => {
    expect(bloomBitset(maxEntries, k)).toEqual({ bits, mask: bits === 2 ** 32 ? 0xffffffff : bits - 1, bytes });
  });

  it('map bloom_filter - the bit array is allocated zeroed in the arena, its size as the kernel rounds it', () => {
    const arena = new Arena({ initialPages: 4 });
    const before = arena.allocated;
    const m = create(spec(8, 1000, 5), arena);
    expect(arena.allocated - before).toBe(1024);
    expect(m.bitsetMask).toBe(8191);
    expect(arena.bytes.subarray(m.base, m.base + 1024).every((b) => b === 0)).toBe(true);
    expect(isPushPopMap(m)).toBe(true);
  });
});

describe('map bloom_filter - operations', () => {
  const zeroSeed = (valueSize = 4, max = 100, extra = 0) => create(spec(valueSize, max, extra, MapFlag.ZERO_SEED));

  it('map bloom_filter - BPF_F_ZERO_SEED hashes with seed 0: two maps set the same bits; without it the seed is random', () => {
    const a = zeroSeed();
    const b = zeroSeed();
    expect(a.seed).toBe(0);
    for (let i = 0; i < 20; i++) {
      a.update(NONE, valueOf(i, 4), UpdateFlag.ANY);
      b.update(NONE, valueOf(i, 4), UpdateFlag.ANY);
    }
    const bits = (m: BloomFilterMap) => m.arena.bytes.slice(m.base, m.base + 32);
    expect(bits(a)).toEqual(bits(b));
    const seeds = new Set(Array.from({ length: 4 }, () => create(spec(4, 100)).seed));
    expect(seeds.size).toBeGreaterThan(1);
  });

  it('map bloom_filter - with ZERO_SEED a value sets exactly the bits jhash(value, seed 0..k-1) & mask', () => {
    const m = zeroSeed(4, 100, 3);
    const v = valueOf(42, 4);
    m.update(NONE, v, UpdateFlag.ANY);
    const expected = new Set([0, 1, 2].map((i) => (jhash(v, 0, 4, i) & m.bitsetMask) >>> 0));
    const set: number[] = [];
    const bytes = m.arena.bytes;
    for (let bit = 0; bit <= m.bitsetMask; bit++) if ((bytes[m.base + (bit >>> 3)]! & (1 << (bit & 7))) !== 0) set.push(bit);
    expect(new Set(set)).toEqual(expected);
  });

  it('map bloom_filter - every value pushed is found (no false negatives); lookup returns the value passed in', () => {
    const m = create(spec(7, 500, 4));
    for (let i = 0; i < 500; i++) m.update(NONE, valueOf(i, 7), UpdateFlag.ANY);
    for (let i = 0; i < 500; i++) expect(m.lookup(NONE, valueOf(i, 7))).toEqual(valueOf(i, 7));
  });

  it('map bloom_filter - an empty filter answers ENOENT for everything', () => {
    const m = zeroSeed();
    for (let i = 0; i < 50; i++) expect(() => m.lookup(NONE, valueOf(i, 4))).toThrow(code('ENOENT'));
  });

  it.each([
    ['update with BPF_NOEXIST fails with EINVAL', (m: BloomFilterMap) => m.update(NONE, valueOf(1, 4), UpdateFlag.NOEXIST), 'EINVAL'],
    ['update with BPF_EXIST fails with EINVAL', (m: BloomFilterMap) => m.update(NONE, valueOf(1, 4), UpdateFlag.EXIST), 'EINVAL'],
    ['update with BPF_F_LOCK fails with EINVAL', (m: BloomFilterMap) => m.update(NONE, valueOf(1, 4), UpdateFlag.F_LOCK), 'EINVAL'],
    ['update with a key fails with EINVAL', (m: BloomFilterMap) => m.update(valueOf(1, 4), valueOf(1, 4), UpdateFlag.ANY), 'EINVAL'],
    ['update with a value of the wrong size fails with EINVAL', (m: BloomFilterMap) => m.update(NONE, valueOf(1, 5), UpdateFlag.ANY), 'EINVAL'],
    ['lookup without the value to test fails with EINVAL', (m: BloomFilterMap) => m.lookup(NONE), 'EINVAL'],
    ['lookup with a value of the wrong size fails with EINVAL', (m: BloomFilterMap) => m.lookup(NONE, valueOf(1, 3)), 'EINVAL'],
    ['lookup of an absent value fails with ENOENT', (m: BloomFilterMap) => m.lookup(NONE, valueOf(999, 4)), 'ENOENT'],
    ['delete fails with EOPNOTSUPP', (m: BloomFilterMap) => m.delete(NONE), 'EOPNOTSUPP'],
    ['get_next_key fails with EOPNOTSUPP', (m: BloomFilterMap) => m.getNextKey(undefined), 'EOPNOTSUPP'],
    ['get_next_key with a key fails with EINVAL (the key is copied first)', (m: BloomFilterMap) => m.getNextKey(valueOf(1, 4)), 'EINVAL'],
    ['lookup_and_delete fails with ENOTSUPP', (m: BloomFilterMap) => m.lookupAndDelete(NONE), 'ENOTSUPP'],
  ])('map bloom_filter - %s', (_title, run, errno) => {
    const m = zeroSeed();
    m.update(NONE, valueOf(1, 4), UpdateFlag.ANY);
    expect(() => run(m)).toThrow(code(errno));
  });

  it('map bloom_filter - the program side: push adds, peek tests, the rest answers as the kernel ops', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = create(spec(8, 100, 0, MapFlag.ZERO_SEED), arena);
    const v = arena.alloc(8);
    arena.view.setBigUint64(v, 0x1234n, true);
    expect(m.peek(v)).toBe(-2);
    expect(m.push(v, UpdateFlag.EXIST)).toBe(-22);
    expect(m.peek(v)).toBe(-2);
    expect(m.push(v, UpdateFlag.ANY)).toBe(0);
    expect(m.peek(v)).toBe(0);
    expect(arena.view.getBigUint64(v, true)).toBe(0x1234n);
    expect(m.lookup(NONE, new Uint8Array(new BigUint64Array([0x1234n]).buffer)).length).toBe(8);
    expect(m.pop(v)).toBe(-95);
    expect(m.lookupAddress(v, 0)).toBe(0);
    expect(m.updateAt(v, v, 0, 0)).toBe(-22);
    expect(m.deleteAt(v)).toBe(-95);
  });
});

describe('map bloom_filter - false-positive rate', () => {
  // p = (1 - e^(-k n / m))^k for n values in m bits with k hashes; the observed count of
  // false positives among N absent values must lie within 5 standard deviations of N p.
  it.each([
    // max_entries (= values pushed), hash functions, value size
    [1000, 5, 4],
    [1000, 5, 3],
    [1000, 3, 8],
    [2000, 1, 4],
    [3000, 2, 12],
    [500, 15, 16],
    [1500, 7, 6],
  ])('map bloom_filter - %i values with %i hash functions (%i-byte values) stay within the expected false-positive rate', (n, k, size) => {
    const m = create(spec(size, n, k, MapFlag.ZERO_SEED));
    for (let i = 0; i < n; i++) m.update(NONE, valueOf(i, size), UpdateFlag.ANY);
    const bits = m.bitsetMask + 1;
    const p = (1 - Math.exp((-k * n) / bits)) ** k;
    const trials = 20000;
    // Tested from the program side (bpf_map_peek_elem): 0 is "maybe present".
    const buf = m.arena.alloc(size);
    const results = new Map<number, number>();
    for (let i = n; i < n + trials; i++) {
      m.arena.bytes.set(valueOf(i, size), buf);
      const result = m.peek(buf);
      results.set(result, (results.get(result) ?? 0) + 1);
    }
    expect([...results.keys()].every((r) => r === 0 || r === -2)).toBe(true);
    const falsePositives = results.get(0) ?? 0;
    const sigma = Math.sqrt(trials * p * (1 - p));
    expect(Math.abs(falsePositives - trials * p)).toBeLessThanOrEqual(5 * sigma + 3);
    // The kernel sizes the array to at least n k 7/5 bits, so the rate is at most (1 - e^(-5/7))^k.
    expect(falsePositives).toBeLessThanOrEqual(trials * (1 - Math.exp(-5 / 7)) ** k + 5 * sigma + 3);
  });
});
