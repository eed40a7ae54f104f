import { BpfError, MapFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { checkLength } from '../map.js';
import { ACCESS_FLAGS, KMALLOC_MAX_SIZE, type MapSpec, specError } from '../spec.js';
import { type BpfPushPopMap, checkSyscallUpdateFlags, negErrno } from './queue-stack.js';
import type { MapTypeSupport } from './types.js';

/** Hash functions when map_extra is 0. */
export const BLOOM_DEFAULT_HASH_FUNCS = 5;
const U32_MAX = 0xffffffff;

const rol32 = (x: number, k: number): number => (x << k) | (x >>> (32 - k));
/** `n` (1..4) bytes from `at`, little-endian. */
const tailBytes = (bytes: Uint8Array, at: number, n: number): number =>
  n === 4
    ? bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)
    : n === 3
      ? bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)
      : n === 2
        ? bytes[at]! | (bytes[at + 1]! << 8)
        : bytes[at]!;

/**
 * Linux's jhash (include/linux/jhash.h, Bob Jenkins' lookup3 hashlittle): the hash of `length`
 * bytes of `bytes` from `at`, as a u32. Words are read little-endian, so for a length that is a
 * multiple of 4 this is also jhash2 over the u32s — the kernel's pick for 4-byte-aligned value
 * sizes gives the same result.
 */
export function jhash(bytes: Uint8Array, at: number, length: number, initval: number): number {
  let a = (0xdeadbeef + length + initval) | 0;
  let b = a;
  let c = a;
  let k = at;
  let left = length;
  while (left > 12) {
    a = (a + (bytes[k]! | (bytes[k + 1]! << 8) | (bytes[k + 2]! << 16) | (bytes[k + 3]! << 24))) | 0;
    b = (b + (bytes[k + 4]! | (bytes[k + 5]! << 8) | (bytes[k + 6]! << 16) | (bytes[k + 7]! << 24))) | 0;
    c = (c + (bytes[k + 8]! | (bytes[k + 9]! << 8) | (bytes[k + 10]! << 16) | (bytes[k + 11]! << 24))) | 0;
    // __jhash_mix
    a = (a - c) | 0; a ^= rol32(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol32(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol32(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rol32(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol32(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol32(b, 4); b = (b + a) | 0;
    left -= 12;
    k += 12;
  }
  if (left === 0) return c >>> 0;
  // The last 1..12 bytes, little-endian into a, b, c (the kernel's switch, falling through).
  if (left > 8) {
    c = (c + tailBytes(bytes, k + 8, left - 8)) | 0;
    b = (b + tailBytes(bytes, k + 4, 4)) | 0;
    a = (a + tailBytes(bytes, k, 4)) | 0;
  } else if (left > 4) {
    b = (b + tailBytes(bytes, k + 4, left - 4)) | 0;
    a = (a + tailBytes(bytes, k, 4)) | 0;
  } else {
    a = (a + tailBytes(bytes, k, left)) | 0;
  }
  // __jhash_final
  c ^= b; c = (c - rol32(b, 14)) | 0;
  a ^= c; a = (a - rol32(c, 11)) | 0;
  b ^= a; b = (b - rol32(a, 25)) | 0;
  c ^= b; c = (c - rol32(b, 16)) | 0;
  a ^= c; a = (a - rol32(c, 4)) | 0;
  b ^= a; b = (b - rol32(a, 14)) | 0;
  c ^= b; c = (c - rol32(b, 24)) | 0;
  return c >>> 0;
}

/**
 * The bit array bloom_map_alloc sizes: nr_bits = max_entries * nr_hash_funcs * 7 / 5 (7/5 for
 * 1/ln 2, the optimum for that many elements), at least 64 (BITS_PER_LONG), rounded up to a power
 * of two so a hash is masked, not reduced. When that overflows a u32 or passes 2^31 the array has
 * 2^32 bits (mask U32_MAX). The division comes first (nr_bits / 5 * 7), as in the kernel.
 * Bytes are rounded up to a multiple of 8 (unsigned longs).
 */
export function bloomBitset(maxEntries: number, nrHashFuncs: number): { bits: number; mask: number; bytes: number } {
  const product = maxEntries * nrHashFuncs;
  const scaled = Math.floor(product / 5) * 7;
  if (product > U32_MAX || scaled > U32_MAX || scaled > 2 ** 31) return { bits: 2 ** 32, mask: U32_MAX, bytes: 2 ** 29 };
  let bits = 64;
  while (bits < scaled) bits *= 2;
  return { bits, mask: bits - 1, bytes: Math.ceil(bits / 8 / 8) * 8 };
}

/**
 * BPF_MAP_TYPE_BLOOM_FILTER, as kernel/bpf/bloom_filter.c: a bit array in the arena (sized by
 * bloomBitset) and nr_hash_funcs hashes per value — jhash(value, value_size, seed + i) masked to
 * the array. The seed is random per map, 0 with BPF_F_ZERO_SEED.
 *
 * - push (bpf_map_push_elem, BPF_MAP_UPDATE_ELEM) adds a value: flags must be BPF_ANY, else EINVAL.
 * - peek (bpf_map_peek_elem, BPF_MAP_LOOKUP_ELEM with the value to test passed in) answers 0 when
 *   every bit is set — "maybe present", with false positives — and ENOENT when one is not.
 * - pop, delete and get_next_key are EOPNOTSUPP; BPF_MAP_LOOKUP_AND_DELETE_ELEM is ENOTSUPP (the
 *   syscall's answer for a type without it); lookup_elem / update_elem from a program are EINVAL
 *   (lookupAddress gives NULL: the kernel's ERR_PTR(-EINVAL) is no address, and the verifier
 *   rejects the call anyway).
 */
export class BloomFilterMap implements BpfPushPopMap {
  readonly cpus = 1;
  readonly syscallValueSize: number;
  readonly nrHashFuncs: number;
  readonly bitsetMask: number;
  #seed: number;
  /** Address of the bit array (u32 words, little-endian: bit n is bit n % 32 of word n / 32). */
  readonly base: number;
  readonly #valueSize: number;
  /** Bytes of the bit array. */
  readonly #bytes: number;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
  ) {
    this.#valueSize = spec.value_size;
    this.syscallValueSize = spec.value_size;
    this.nrHashFuncs = spec.map_extra || BLOOM_DEFAULT_HASH_FUNCS;
    const bitset = bloomBitset(spec.max_entries, this.nrHashFuncs);
    this.bitsetMask = bitset.mask;
    this.#seed = (spec.map_flags & MapFlag.ZERO_SEED) !== 0 ? 0 : (Math.random() * 0x100000000) >>> 0;
    this.#bytes = bitset.bytes;
    this.base = arena.alloc(bitset.bytes);
  }

  /** BpfMap.dispose: the bit array goes back to the arena. */
  dispose(): void {
    this.arena.free(this.base, this.#bytes);
  }

  /** The jhash seed: random per map unless BPF_F_ZERO_SEED (a snapshot carries it). */
  get seed(): number {
    return this.#seed;
  }

  #hash(bytes: Uint8Array, at: number, index: number): number {
    return (jhash(bytes, at, this.#valueSize, (this.#seed + index) >>> 0) & this.bitsetMask) >>> 0;
  }

  #add(bytes: Uint8Array, at: number): void {
    const u32 = this.arena.u32;
    const words = this.base >>> 2;
    for (let i = 0; i < this.nrHashFuncs; i++) {
      const h = this.#hash(bytes, at, i);
      Atomics.or(u32, words + (h >>> 5), 1 << (h & 31));
    }
  }

  #test(bytes: Uint8Array, at: number): boolean {
    const u32 = this.arena.u32;
    const words = this.base >>> 2;
    for (let i = 0; i < this.nrHashFuncs; i++) {
      const h = this.#hash(bytes, at, i);
      if ((u32[words + (h >>> 5)]! & (1 << (h & 31))) === 0) return false;
    }
    return true;
  }

  // The program side.

  push(valueAddress: number, flags: number): number {
    if (flags !== 0) return negErrno('EINVAL');
    this.#add(this.arena.bytes, valueAddress);
    return 0;
  }

  peek(valueAddress: number): number {
    return this.#test(this.arena.bytes, valueAddress) ? 0 : negErrno('ENOENT');
  }

  pop(_valueAddress: number): number {
    return negErrno('EOPNOTSUPP');
  }

  lookupAddress(_keyAddress: number, _cpu: number): number {
    return 0;
  }

  updateAt(_keyAddress: number, _valueAddress: number, _flags: number, _cpu: number): number {
    return negErrno('EINVAL');
  }

  deleteAt(_keyAddress: number): number {
    return negErrno('EOPNOTSUPP');
  }

  // The syscall side.

  /**
   * BPF_MAP_LOOKUP_ELEM: the value to test goes in (the kernel copies it from user space first);
   * it comes back unchanged when it may be present, ENOENT when it is surely not.
   */
  lookup(key: Uint8Array, value?: Uint8Array): Uint8Array {
    checkLength('key', key, 0);
    if (value === undefined) throw new BpfError('EINVAL', 'lookup: a bloom filter tests the value passed in: give the value to test');
    checkLength('value', value, this.#valueSize);
    if (!this.#test(value, 0)) throw new BpfError('ENOENT', 'lookup: the value is not in the bloom filter');
    return value.slice();
  }

  /** BPF_MAP_UPDATE_ELEM: push. Flags must be BPF_ANY. */
  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    checkSyscallUpdateFlags(flags);
    checkLength('key', key, 0);
    checkLength('value', value, this.#valueSize);
    if (flags !== 0) throw new BpfError('EINVAL', `update: flags 0x${flags.toString(16)}: a bloom filter takes BPF_ANY only`);
    this.#add(value, 0);
  }

  delete(key: Uint8Array): void {
    checkLength('key', key, 0);
    throw new BpfError('EOPNOTSUPP', 'delete: values cannot be removed from a bloom filter');
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    if (key !== undefined) checkLength('key', key, 0);
    throw new BpfError('EOPNOTSUPP', 'get_next_key: a bloom filter has no keys to iterate');
  }

  lookupAndDelete(_key: Uint8Array, _flags?: number): Uint8Array {
    throw new BpfError('ENOTSUPP', 'lookup_and_delete: not supported by a bloom filter');
  }

  /** One record, the whole filter: no key, then the u32 seed and the bit array (values cannot be listed). */
  *records(): Iterable<readonly [Uint8Array, Uint8Array]> {
    const out = new Uint8Array(4 + this.#bytes);
    new DataView(out.buffer).setUint32(0, this.#seed, true);
    out.set(this.arena.bytes.subarray(this.base, this.base + this.#bytes), 4);
    yield [new Uint8Array(0), out];
  }

  /** Takes back what records() gave: the seed and the bits. EINVAL for a record of another size. */
  restoreRecord(key: Uint8Array, value: Uint8Array): void {
    checkLength('key', key, 0);
    if (value.length !== 4 + this.#bytes) throw new BpfError('EINVAL', `restore: a bloom filter record is ${4 + this.#bytes} bytes, got ${value.length}`);
    this.#seed = new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true);
    this.arena.bytes.set(value.subarray(4), this.base);
  }

  /** Every bit clear. */
  clear(): void {
    this.arena.bytes.fill(0, this.base, this.base + this.#bytes);
  }
}

/** BLOOM_FILTER: bloom_map_alloc_check, then bloom_map_alloc's attribute checks. */
export const bloomFilterMapType: MapTypeSupport = {
  allowedFlags: MapFlag.NUMA_NODE | MapFlag.ZERO_SEED | ACCESS_FLAGS,
  check(spec) {
    if (spec.value_size > KMALLOC_MAX_SIZE) throw specError('E2BIG', spec, `value_size ${spec.value_size} is larger than ${KMALLOC_MAX_SIZE}`);
    if (spec.key_size !== 0) throw specError('EINVAL', spec, `key_size must be 0 (no keys), got ${spec.key_size}`);
    if (spec.value_size === 0) throw specError('EINVAL', spec, 'value_size must be at least 1');
    if (spec.max_entries === 0) throw specError('EINVAL', spec, 'max_entries must be at least 1');
    const extra = spec.map_extra ?? 0;
    if (!Number.isSafeInteger(extra) || extra < 0 || extra > 0xf) {
      throw specError('EINVAL', spec, `map_extra ${extra}: only bits 0-3 (the number of hash functions, 0 for ${BLOOM_DEFAULT_HASH_FUNCS}) may be set`);
    }
  },
  create: (spec, arena) => new BloomFilterMap(spec, arena),
};
