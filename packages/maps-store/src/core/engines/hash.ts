import { BpfError, MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { hashKey } from './key-hash.js';
import { type BpfMap, type Bytes, asErrno, checkLength, checkUpdateFlags, round8 } from '../map.js';
import type { MapSpec } from '../spec.js';

/**
 * BPF_MAP_TYPE_HASH and PERCPU_HASH: chained buckets over max_entries preallocated elements, as
 * Linux preallocates them by default.
 *
 *   buckets   u32 per bucket: index + 1 of the first element of its chain, 0 when empty
 *   element   u32 next (index + 1) | u32 hash | key, padded to 8 | value (per CPU: one each, 8-aligned)
 *
 * A value's address never changes while its element lives. A deleted element is unlinked at once
 * but only reused after the arena's next grace period (Arena.quiescent), so a program still
 * holding a pointer from an earlier lookup reads stale data, never another key's.
 * Iteration (get_next_key) goes bucket by bucket, then along each chain; an absent key restarts
 * from the first element, as in Linux.
 */
export class HashMap implements BpfMap {
  readonly cpus: number;
  readonly syscallValueSize: number;
  readonly #buckets: number;
  readonly #mask: number;
  readonly #bucketsAt: number;
  readonly #elementsAt: number;
  readonly #elementSize: number;
  readonly #keySize: number;
  readonly #keyPadded: number;
  readonly #slot: number;
  readonly #seed: number;
  /** Free element indexes (prealloc), and those waiting for a grace period. */
  readonly #free: number[] = [];
  #deferred: number[] = [];
  #count = 0;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
    cpus: number,
  ) {
    this.cpus = spec.map_type === MapType.PERCPU_HASH ? cpus : 1;
    this.#keySize = spec.key_size;
    this.#keyPadded = round8(spec.key_size);
    this.#slot = round8(spec.value_size);
    this.syscallValueSize = this.cpus === 1 ? spec.value_size : this.#slot * this.cpus;
    this.#elementSize = 8 + this.#keyPadded + this.#slot * this.cpus;
    this.#buckets = 2 ** Math.ceil(Math.log2(Math.max(spec.max_entries, 2)));
    this.#mask = this.#buckets - 1;
    this.#seed = (spec.map_flags & MapFlag.ZERO_SEED) !== 0 ? 0 : (Math.random() * 0x100000000) >>> 0;
    this.#bucketsAt = arena.alloc(this.#buckets * 4);
    this.#elementsAt = arena.alloc(this.#elementSize * spec.max_entries);
    for (let i = spec.max_entries - 1; i >= 0; i--) this.#free.push(i);
    arena.onQuiescent(() => this.#reclaim());
  }

  /** Elements in the map. */
  get count(): number {
    return this.#count;
  }

  #reclaim(): void {
    for (const i of this.#deferred) this.#free.push(i);
    this.#deferred = [];
  }

  #hash(key: Bytes): number {
    return hashKey(this.#seed, this.#keySize, key.buf, key.at);
  }


  #element(index: number): number {
    return this.#elementsAt + index * this.#elementSize;
  }

  #keyEquals(element: number, key: Bytes): boolean {
    const bytes = this.arena.bytes;
    const at = element + 8;
    for (let i = 0; i < this.#keySize; i++) if (bytes[at + i] !== key.buf[key.at + i]) return false;
    return true;
  }

  /** The element holding `key`, or -1: the lookup path, without allocating. */
  #findIndex(key: Bytes, hash: number): number {
    const u32 = this.arena.u32;
    let link = u32[(this.#bucketsAt >> 2) + (hash & this.#mask)]!;
    while (link !== 0) {
      const index = link - 1;
      const element = this.#elementsAt + index * this.#elementSize;
      if (u32[(element >> 2) + 1] === hash && this.#keyEquals(element, key)) return index;
      link = u32[element >> 2]!;
    }
    return -1;
  }

  /** The element holding `key`, with its predecessor in the chain (-1: the bucket head), or undefined. */
  #find(key: Bytes, hash: number): { index: number; prev: number } | undefined {
    const u32 = this.arena.u32;
    let prev = -1;
    let link = u32[(this.#bucketsAt >> 2) + (hash & this.#mask)]!;
    while (link !== 0) {
      const index = link - 1;
      const element = this.#element(index);
      if (u32[(element >> 2) + 1] === hash && this.#keyEquals(element, key)) return { index, prev };
      prev = index;
      link = u32[element >> 2]!;
    }
    return undefined;
  }

  #valueAddress(index: number, cpu: number): number {
    return this.#element(index) + 8 + this.#keyPadded + cpu * this.#slot;
  }

  #lookupIndex(key: Bytes): number | undefined {
    const index = this.#findIndex(key, this.#hash(key));
    return index < 0 ? undefined : index;
  }

  /** Inserts or replaces; `value` is one value (program side, `cpu` set) or one per CPU (syscall side). */
  #update(key: Bytes, value: Bytes, flags: number, cpu: number | undefined): void {
    checkUpdateFlags(flags);
    const hash = this.#hash(key);
    const found = this.#find(key, hash);
    const mode = flags & 3;
    if (found && mode === UpdateFlag.NOEXIST) throw new BpfError('EEXIST', 'update: the key exists and BPF_NOEXIST was given');
    if (!found && mode === UpdateFlag.EXIST) throw new BpfError('ENOENT', 'update: the key does not exist and BPF_EXIST was given');
    const bytes = this.arena.bytes;
    if (found) {
      this.#writeValue(found.index, value, cpu);
      return;
    }
    const index = this.#free.pop();
    if (index === undefined) throw new BpfError('E2BIG', `update: the map is full (max_entries ${this.spec.max_entries})`);
    const element = this.#element(index);
    bytes.fill(0, element, element + this.#elementSize);
    bytes.set(key.buf.subarray(key.at, key.at + this.#keySize), element + 8);
    this.#writeValue(index, value, cpu);
    const u32 = this.arena.u32;
    const bucket = (this.#bucketsAt >> 2) + (hash & this.#mask);
    u32[(element >> 2) + 1] = hash;
    u32[element >> 2] = u32[bucket]!;
    // Linked in last: a concurrent reader sees the whole element or none of it.
    Atomics.store(u32, bucket, index + 1);
    this.#count++;
  }

  #writeValue(index: number, value: Bytes, cpu: number | undefined): void {
    const bytes = this.arena.bytes;
    if (cpu !== undefined) {
      bytes.set(value.buf.subarray(value.at, value.at + this.spec.value_size), this.#valueAddress(index, cpu));
      return;
    }
    const size = this.cpus === 1 ? this.spec.value_size : this.#slot * this.cpus;
    bytes.set(value.buf.subarray(value.at, value.at + size), this.#valueAddress(index, 0));
  }

  #delete(key: Bytes): void {
    const hash = this.#hash(key);
    const found = this.#find(key, hash);
    if (!found) throw new BpfError('ENOENT', 'delete: no such key');
    const u32 = this.arena.u32;
    const next = u32[this.#element(found.index) >> 2]!;
    if (found.prev < 0) Atomics.store(u32, (this.#bucketsAt >> 2) + (hash & this.#mask), next);
    else Atomics.store(u32, this.#element(found.prev) >> 2, next);
    this.#deferred.push(found.index);
    this.#count--;
  }

  lookup(key: Uint8Array): Uint8Array {
    checkLength('key', key, this.#keySize);
    const index = this.#lookupIndex({ buf: key, at: 0 });
    if (index === undefined) throw new BpfError('ENOENT', 'lookup: no such key');
    const at = this.#valueAddress(index, 0);
    return this.arena.bytes.slice(at, at + this.syscallValueSize);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    checkLength('key', key, this.#keySize);
    checkLength('value', value, this.syscallValueSize);
    this.#update({ buf: key, at: 0 }, { buf: value, at: 0 }, flags, undefined);
  }

  delete(key: Uint8Array): void {
    checkLength('key', key, this.#keySize);
    this.#delete({ buf: key, at: 0 });
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    const u32 = this.arena.u32;
    let bucket = 0;
    if (key !== undefined) {
      checkLength('key', key, this.#keySize);
      const k = { buf: key, at: 0 };
      const hash = this.#hash(k);
      const found = this.#find(k, hash);
      if (found) {
        const next = u32[this.#element(found.index) >> 2]!;
        if (next !== 0) return this.#keyOf(next - 1);
        bucket = (hash & this.#mask) + 1;
      }
    }
    for (; bucket < this.#buckets; bucket++) {
      const head = u32[(this.#bucketsAt >> 2) + bucket]!;
      if (head !== 0) return this.#keyOf(head - 1);
    }
    throw new BpfError('ENOENT', 'get_next_key: no more keys');
  }

  #keyOf(index: number): Uint8Array {
    const at = this.#element(index) + 8;
    return this.arena.bytes.slice(at, at + this.#keySize);
  }

  lookupAddress(keyAddress: number, cpu: number): number {
    const key = { buf: this.arena.bytes, at: keyAddress };
    const index = this.#findIndex(key, this.#hash(key));
    return index < 0 ? 0 : this.#valueAddress(index, this.cpus === 1 ? 0 : cpu);
  }

  updateAt(keyAddress: number, valueAddress: number, flags: number, cpu: number): number {
    const bytes = this.arena.bytes;
    return asErrno(() => this.#update({ buf: bytes, at: keyAddress }, { buf: bytes, at: valueAddress }, flags, this.cpus === 1 ? undefined : cpu));
  }

  deleteAt(keyAddress: number): number {
    return asErrno(() => this.#delete({ buf: this.arena.bytes, at: keyAddress }));
  }
}
