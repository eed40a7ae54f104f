import { BpfError, MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { type BpfMap, checkLength, checkUpdateFlags, round8 } from '../map.js';
import { ACCESS_FLAGS, MAX_BPF_STACK, type MapSpec, specError } from '../spec.js';
import { type WasmWordProbe, type WasmWordProbeU32, wasmProbes } from './hash-probe-wasm.js';
import { hashWords } from './key-hash.js';

/** Slot links: 0 an empty slot, 1 a deleted one (a tombstone); else the element's address (≥ 64 KiB). */
const EMPTY = 0;
const TOMBSTONE = 1;
/** Keys up to this many u32 words sit in the slots themselves; longer ones are compared in their element. */
const INLINE_KEY_WORDS = 4;
/** Negative errnos the table's operations return. */
const EEXIST = -17;
const ENOENT = -2;
const E2BIG = -7;
const EINVAL = -22;

/**
 * BPF_MAP_TYPE_HASH and PERCPU_HASH: an open-addressed table of slots over elements that never
 * move, so a lookup touches one cache line of slots and computes the value's address.
 *
 *   slots     capacity (a power of two, at least 2 * max_entries) slots, linear probing.
 *             A slot is u32 link (EMPTY, TOMBSTONE or the element's address), then either the key
 *             itself (keys up to 16 bytes, zero-padded to u32 words) or, for longer keys, its
 *             u32 hash (the key is compared in the element).
 *   element   key, zero-padded to 8 | value (per CPU: one each, 8-aligned); a value's address is
 *             link + round8(key_size) (+ cpu * round8(value_size)).
 *
 * Elements are preallocated (max_entries of them, as Linux does by default) unless
 * BPF_F_NO_PREALLOC, when each comes from the arena as it is inserted. A value's address never
 * changes while its element lives: an update of an existing key writes in place. A deleted element
 * is unlinked at once (its slot becomes a tombstone) but its memory is reused only after the
 * arena's next grace period (Arena.quiescent), so a program still holding a pointer from an
 * earlier lookup reads stale data, never another key's.
 *
 * Readers do not lock (the JIT's inlined lookup runs on the CPUs' threads while this engine writes
 * on main): a reader reads a slot's link, then compares the slot's key words. So a tombstone is
 * not reused before the next grace period either: until then no insert writes other key words
 * into a slot whose link a running reader may hold, and a reader that read a live link compares
 * the key that link was published with (without this, a delete and an insert between a reader's
 * two reads could pair a deleted element with the new key: hash-race.test.ts). Inserts meanwhile
 * take older tombstones or empty slots; a rebuild starts a new slot array and so drops the wait.
 *
 * Limits as Linux's: with preallocation a new key needs a free element — E2BIG when all of them
 * are in the map or waiting for a grace period; with NO_PREALLOC the count of keys is the limit
 * (a delete frees a place at once). Tombstones are swept by rebuilding the slots (into a new slot
 * array; the old one goes back to the arena) when live keys and tombstones fill 3/4 of them.
 *
 * Iteration (get_next_key) goes slot by slot; a key that is absent restarts from the first, as in
 * Linux. A delete during a walk does not disturb it; an insert that triggers a rebuild may.
 */
export class HashMap implements BpfMap {
  readonly cpus: number;
  readonly syscallValueSize: number;
  readonly #keySize: number;
  readonly #keyWords: number;
  /** The tail word's mask (keys that are not a multiple of 4 bytes), as an int32 (-1: every bit). */
  readonly #tailMask: number;
  readonly #inline: boolean;
  /** u32 words per slot. */
  readonly #stride: number;
  readonly #capacity: number;
  readonly #mask: number;
  /** Word index (address / 4) of slot 0. */
  #slotsW = 0;
  /** Address of a u32 that always holds slot 0's address (for code that probes the table itself, as the JIT does). */
  readonly #slotsCell: number;
  /** Live keys plus tombstones. */
  #used = 0;
  #count = 0;
  readonly #valueOffset: number;
  readonly #slot: number;
  readonly #elementSize: number;
  readonly #prealloc: boolean;
  /** The hash seed as an int32 (the hash reads it so; `layout` gives it as a u32). */
  readonly #seed: number;
  /** Where the wasm probes' hash starts: seed ^ key_size. */
  readonly #hashStart: number;
  /** The word probe in wasm over the arena's memory (hash-probe-wasm.ts): keys of 1 to 4 bytes. */
  readonly #wasmProbe: WasmWordProbe;
  readonly #wasmProbeU32: WasmWordProbeU32;
  /** Free element addresses (prealloc), and those waiting for a grace period. */
  readonly #free: number[] = [];
  #deferred: number[] = [];
  /**
   * Slots made tombstones since the last grace period, not reused until it passes (see the class
   * comment): one bit per slot, and the list of the slots set (to clear them).
   */
  readonly #recentBits: Uint8Array;
  #recent: number[] = [];
  /** The key being worked on, as u32 words (the tail zero-padded). */
  readonly #key: Uint32Array;
  /** The arena's memory as u32 words, kept current (Arena.onGrow) for the lookup path. */
  #u32: Uint32Array;
  /** The preallocated elements' block (0: none). */
  readonly #elements: number = 0;
  readonly #unlisten: (() => void)[];

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
    cpus: number,
  ) {
    this.cpus = spec.map_type === MapType.PERCPU_HASH ? cpus : 1;
    this.#keySize = spec.key_size;
    this.#keyWords = Math.ceil(spec.key_size / 4);
    this.#tailMask = spec.key_size % 4 === 0 ? -1 : 2 ** (8 * (spec.key_size % 4)) - 1;
    this.#inline = this.#keyWords <= INLINE_KEY_WORDS;
    this.#stride = 1 + (this.#inline ? this.#keyWords : 1);
    this.#key = new Uint32Array(this.#keyWords);
    this.#valueOffset = round8(spec.key_size);
    this.#slot = round8(spec.value_size);
    this.syscallValueSize = this.cpus === 1 ? spec.value_size : this.#slot * this.cpus;
    this.#elementSize = this.#valueOffset + this.#slot * this.cpus;
    this.#capacity = 2 ** Math.ceil(Math.log2(Math.max(2 * spec.max_entries, 2)));
    this.#mask = this.#capacity - 1;
    this.#seed = (spec.map_flags & MapFlag.ZERO_SEED) !== 0 ? 0 : (Math.random() * 0x100000000) | 0;
    this.#hashStart = this.#seed ^ spec.key_size;
    ({ probe: this.#wasmProbe, probeU32: this.#wasmProbeU32 } = wasmProbes(arena.memory));
    this.#prealloc = (spec.map_flags & MapFlag.NO_PREALLOC) === 0;
    this.#recentBits = new Uint8Array(Math.ceil(this.#capacity / 8));
    this.#slotsW = arena.alloc(this.#capacity * this.#stride * 4) >> 2;
    this.#slotsCell = arena.alloc(4, 4);
    Atomics.store(arena.u32, this.#slotsCell >> 2, this.#slotsW << 2);
    if (this.#prealloc) {
      const elements = arena.alloc(this.#elementSize * spec.max_entries);
      for (let i = spec.max_entries - 1; i >= 0; i--) this.#free.push(elements + i * this.#elementSize);
      this.#elements = elements;
    }
    this.#u32 = arena.u32;
    this.#unlisten = [arena.onQuiescent(() => this.#reclaim()), arena.onGrow(() => (this.#u32 = arena.u32))];
  }

  /** BpfMap.dispose: the slot array, its cell and the preallocated elements go back to the arena (emptied first: elements of a map without prealloc are freed by delete). */
  dispose(): void {
    for (const stop of this.#unlisten) stop();
    this.arena.free(this.#slotsW << 2, this.#capacity * this.#stride * 4);
    this.arena.free(this.#slotsCell, 4);
    if (this.#elements !== 0) this.arena.free(this.#elements, this.#elementSize * this.spec.max_entries);
    this.#free.length = 0;
    this.#deferred = [];
    this.#recent = [];
  }

  /**
   * The table's layout for code that probes it itself (the JIT's inlined lookup: @bpfhive/jit's
   * HashInlineMap): the hash seed, the slot count, the address of the u32 that holds the slot
   * array's current address (kept current on every rebuild), whether slots hold the keys, and
   * the offsets to a value (cpuStride for a per-CPU map).
   */
  get layout(): { seed: number; capacity: number; slotsCell: number; keysInSlots: boolean; valueOffset: number; cpuStride?: number } {
    return {
      seed: this.#seed >>> 0,
      capacity: this.#capacity,
      slotsCell: this.#slotsCell,
      keysInSlots: this.#inline,
      valueOffset: this.#valueOffset,
      ...(this.cpus > 1 && { cpuStride: this.#slot }),
    };
  }

  /** Keys in the map. */
  get count(): number {
    return this.#count;
  }

  #reclaim(): void {
    for (const element of this.#deferred) this.#free.push(element);
    this.#deferred = [];
    this.#forgetRecentTombstones();
  }

  /** A grace period passed, or a rebuild left the slots without tombstones: every tombstone may be reused. */
  #forgetRecentTombstones(): void {
    if (this.#recent.length > this.#recentBits.length / 8) this.#recentBits.fill(0);
    else for (const slot of this.#recent) this.#recentBits[slot >> 3] = 0;
    this.#recent = [];
  }

  // Keys: loaded into #key as words, then hashed.

  /** Loads `keySize` bytes of `buf` from `at` into #key; returns the key's hash. */
  #load(buf: Uint8Array, at: number): number {
    const words = this.#key;
    const n = this.#keyWords;
    if (buf === this.arena.bytes && (at & 3) === 0) {
      const u32 = this.arena.u32;
      for (let w = 0; w < n; w++) words[w] = u32[(at >> 2) + w]!;
    } else {
      for (let w = 0; w < n; w++) {
        const i = at + 4 * w;
        words[w] = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
      }
    }
    words[n - 1] = words[n - 1]! & this.#tailMask;
    return hashWords(this.#seed, this.#keySize, words, n);
  }

  /** Whether slot word `s` (link `link`) holds the loaded key with this hash. */
  #matches(u32: Uint32Array, s: number, link: number, hash: number): boolean {
    const words = this.#key;
    if (this.#inline) {
      for (let w = 0; w < this.#keyWords; w++) if (u32[s + 1 + w] !== words[w]) return false;
      return true;
    }
    if (u32[s + 1] !== hash) return false;
    const e = link >> 2;
    for (let w = 0; w < this.#keyWords; w++) if (u32[e + w] !== words[w]) return false;
    return true;
  }

  /** The slot holding the loaded key, or -1. */
  #find(hash: number): number {
    const u32 = this.arena.u32;
    const stride = this.#stride;
    for (let i = hash & this.#mask; ; i = (i + 1) & this.#mask) {
      const s = this.#slotsW + i * stride;
      const link = u32[s]!;
      if (link === EMPTY) return -1;
      if (link !== TOMBSTONE && this.#matches(u32, s, link, hash)) return i;
    }
  }

  /**
   * The slot holding the loaded key (≥ 0), or -(where it would go + 1): the first tombstone on its
   * probe path that is older than the last grace period, else the empty slot ending it.
   */
  #probe(hash: number): number {
    const u32 = this.arena.u32;
    const stride = this.#stride;
    let reuse = -1;
    for (let i = hash & this.#mask; ; i = (i + 1) & this.#mask) {
      const s = this.#slotsW + i * stride;
      const link = u32[s]!;
      if (link === EMPTY) return -((reuse < 0 ? i : reuse) + 1);
      if (link === TOMBSTONE) {
        if (reuse < 0 && (this.#recentBits[i >> 3]! & (1 << (i & 7))) === 0) reuse = i;
      } else if (this.#matches(u32, s, link, hash)) return i;
    }
  }

  #link(slot: number): number {
    return this.arena.u32[this.#slotsW + slot * this.#stride]!;
  }

  /** The element holding the key of `key`'s bytes, or 0 (any key size). */
  #elementOf(key: Uint8Array): number {
    return this.#elementAt(this.#find(this.#load(key, 0)));
  }

  /** The element in `slot` (from #find), or 0 for none (-1). */
  #elementAt(slot: number): number {
    return slot < 0 ? 0 : this.#link(slot);
  }

  // The operations, as 0 or a negative errno; the syscall and program sides wrap them.

  /** Inserts or replaces the loaded key; `value` is one value (`cpu` ≥ 0) or one per CPU (`cpu` -1). */
  #upsert(hash: number, value: Uint8Array, valueAt: number, flags: number, cpu: number): number {
    const mode = flags & 3;
    const at = this.#probe(hash);
    if (at >= 0) {
      if (mode === UpdateFlag.NOEXIST) return EEXIST;
      this.#writeValue(this.#link(at), value, valueAt, cpu);
      return 0;
    }
    if (mode === UpdateFlag.EXIST) return ENOENT;
    const element = this.#newElement();
    if (element < 0) return element;
    let slot = -at - 1;
    if (this.#link(slot) === EMPTY && this.#used + 1 > (this.#capacity * 3) / 4) {
      this.#rebuild();
      slot = -this.#probe(hash) - 1;
    }
    if (this.#link(slot) === EMPTY) this.#used++;
    const bytes = this.arena.bytes;
    bytes.fill(0, element, element + this.#elementSize);
    const u32 = this.arena.u32;
    const words = this.#key;
    for (let w = 0; w < this.#keyWords; w++) u32[(element >> 2) + w] = words[w]!;
    // A fresh element is zeroed, so the other CPUs' values start at 0, as the kernel's do.
    this.#writeValue(element, value, valueAt, cpu);
    const s = this.#slotsW + slot * this.#stride;
    if (this.#inline) for (let w = 0; w < this.#keyWords; w++) u32[s + 1 + w] = words[w]!;
    else u32[s + 1] = hash;
    // Linked in last: a concurrent reader sees the whole element or none of it.
    Atomics.store(u32, s, element);
    this.#count++;
    return 0;
  }

  /** A zeroed element's address, or -E2BIG. */
  #newElement(): number {
    if (this.#prealloc) return this.#free.pop() ?? E2BIG;
    if (this.#count >= this.spec.max_entries) return E2BIG;
    return this.arena.alloc(this.#elementSize);
  }

  /** Writes `element`'s value from `value` at `at`: all CPUs' (`cpu` -1, the syscall's layout) or one (`cpu` ≥ 0). */
  #writeValue(element: number, value: Uint8Array, at: number, cpu: number): void {
    const size = cpu < 0 ? this.syscallValueSize : this.spec.value_size;
    const to = element + this.#valueOffset + (cpu < 0 || this.cpus === 1 ? 0 : cpu * this.#slot);
    if (value === this.arena.bytes) this.#copyInArena(to, at, size);
    else if (at === 0 && value.length === size) this.arena.bytes.set(value, to);
    else this.arena.bytes.set(value.subarray(at, at + size), to);
  }

  /**
   * Copies `size` bytes of the arena from `from` to `to` (a program's value into its element): by
   * u32 words when both are 4-aligned and a forward copy is safe (a value is mostly a few words,
   * and copyWithin costs a call into the runtime), else copyWithin (overlap included).
   */
  #copyInArena(to: number, from: number, size: number): void {
    if (((to | from | size) & 3) === 0 && (to <= from || to >= from + size)) {
      const u32 = this.#u32;
      const t = to >>> 2;
      const f = from >>> 2;
      for (let w = 0; w < size >>> 2; w++) u32[t + w] = u32[f + w]!;
    } else {
      this.arena.bytes.copyWithin(to, from, from + size);
    }
  }

  #remove(hash: number): number {
    const slot = this.#find(hash);
    if (slot < 0) return ENOENT;
    const s = this.#slotsW + slot * this.#stride;
    const element = this.arena.u32[s]!;
    Atomics.store(this.arena.u32, s, TOMBSTONE);
    this.#recentBits[slot >> 3]! |= 1 << (slot & 7);
    this.#recent.push(slot);
    this.#count--;
    if (this.#prealloc) this.#deferred.push(element);
    else this.arena.free(element, this.#elementSize);
    return 0;
  }

  /** Moves every live slot into a new slot array without tombstones; the old array returns to the arena. */
  #rebuild(): void {
    const oldW = this.#slotsW;
    const stride = this.#stride;
    const bytes = this.#capacity * stride * 4;
    this.#slotsW = this.arena.alloc(bytes) >> 2;
    const u32 = this.arena.u32;
    for (let i = 0; i < this.#capacity; i++) {
      const from = oldW + i * stride;
      const link = u32[from]!;
      if (link === EMPTY || link === TOMBSTONE) continue;
      const hash = this.#inline ? hashWords(this.#seed, this.#keySize, u32, this.#keyWords, from + 1) : u32[from + 1]!;
      let j = hash & this.#mask;
      while (u32[this.#slotsW + j * stride] !== EMPTY) j = (j + 1) & this.#mask;
      u32.copyWithin(this.#slotsW + j * stride, from, from + stride);
    }
    // Published once the new array is complete: a reader of the cell sees the old table or the new one.
    Atomics.store(u32, this.#slotsCell >> 2, this.#slotsW << 2);
    this.#used = this.#count;
    this.#forgetRecentTombstones();
    this.arena.free(oldW << 2, bytes);
  }

  // The syscall side.

  lookup(key: Uint8Array): Uint8Array {
    checkLength('key', key, this.#keySize);
    const element = this.#keyWords === 1 ? this.#findWord(wordOf(key, this.#keySize)) : this.#elementOf(key);
    if (element === 0) throw new BpfError('ENOENT', 'lookup: no such key');
    const at = element + this.#valueOffset;
    return this.arena.bytes.slice(at, at + this.syscallValueSize);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    checkUpdateFlags(flags);
    checkLength('key', key, this.#keySize);
    checkLength('value', value, this.syscallValueSize);
    const err = this.#upsert(this.#load(key, 0), value, 0, flags, -1);
    if (err === EEXIST) throw new BpfError('EEXIST', 'update: the key exists and BPF_NOEXIST was given');
    if (err === ENOENT) throw new BpfError('ENOENT', 'update: the key does not exist and BPF_EXIST was given');
    if (err === E2BIG) throw new BpfError('E2BIG', `update: the map is full (max_entries ${this.spec.max_entries})`);
  }

  delete(key: Uint8Array): void {
    checkLength('key', key, this.#keySize);
    if (this.#remove(this.#load(key, 0)) === ENOENT) throw new BpfError('ENOENT', 'delete: no such key');
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    let from = 0;
    if (key !== undefined) {
      checkLength('key', key, this.#keySize);
      const slot = this.#find(this.#load(key, 0));
      if (slot >= 0) from = slot + 1;
    }
    for (let i = from; i < this.#capacity; i++) {
      const link = this.#link(i);
      if (link !== EMPTY && link !== TOMBSTONE) return this.arena.bytes.slice(link, link + this.#keySize);
    }
    throw new BpfError('ENOENT', 'get_next_key: no more keys');
  }

  // The program side: addresses in the arena, 0 or a negative errno.

  lookupAddress(keyAddress: number, cpu: number): number {
    // Keys of up to 4 bytes, the hot path: the word probe in wasm (hash-probe-wasm.ts) reads the
    // key, hashes it and probes. Written out (not #valueAddress), longer keys in their own method:
    // V8 inlines a lookupAddress into its caller only while what it inlines stays under its budget.
    if (this.#keyWords !== 1) return this.#lookupWords(keyAddress, cpu);
    const element = this.#wasmProbe(keyAddress, this.#slotsW << 2, this.#mask, this.#hashStart, this.#tailMask) >>> 0;
    return element === 0 ? 0 : element + this.#valueOffset + (this.cpus === 1 ? 0 : cpu * this.#slot);
  }

  #lookupWords(keyAddress: number, cpu: number): number {
    const slot = this.#find(this.#load(this.arena.bytes, keyAddress));
    return slot < 0 ? 0 : this.#link(slot) + this.#valueOffset + (this.cpus === 1 ? 0 : cpu * this.#slot);
  }

  /**
   * lookupAddress for a key of 1 to 4 bytes given as a number, for code in this process that has
   * the key in hand rather than in the arena: `key` is the key's bytes as a little-endian u32
   * (below 2 ** (8 * key_size)). The value's address (`cpu`'s for a per-CPU map), or 0 when the
   * key is absent, does not fit key_size, or the map's keys are longer (use lookupAddress).
   */
  lookupU32(key: number, cpu = 0): number {
    if (this.#keyWords !== 1 || key !== (key & this.#tailMask) >>> 0) return 0;
    return this.#valueAddress(this.#findWord(key), cpu);
  }

  /** The address of `element`'s value (`cpu`'s for a per-CPU map); 0 for no element. */
  #valueAddress(element: number, cpu: number): number {
    return element === 0 ? 0 : element + this.#valueOffset + (this.cpus === 1 ? 0 : cpu * this.#slot);
  }

  /** The element holding the one-word key `word` (the wasm word probe), or 0. */
  #findWord(word: number): number {
    return this.#wasmProbeU32(word, this.#slotsW << 2, this.#mask, this.#hashStart) >>> 0;
  }

  updateAt(keyAddress: number, valueAddress: number, flags: number, cpu: number): number {
    if (!Number.isInteger(flags) || flags < 0 || flags > UpdateFlag.EXIST) return EINVAL;
    const bytes = this.arena.bytes;
    return this.#upsert(this.#load(bytes, keyAddress), bytes, valueAddress, flags, this.cpus === 1 ? -1 : cpu);
  }

  deleteAt(keyAddress: number): number {
    return this.#remove(this.#load(this.arena.bytes, keyAddress));
  }
}

/** A key of 1 to 4 bytes as its little-endian u32 (the one word the slots hold). */
function wordOf(key: Uint8Array, size: number): number {
  let word = 0;
  for (let b = size - 1; b >= 0; b--) word = (word << 8) | key[b]!;
  return word >>> 0;
}

/** The flags HASH and PERCPU_HASH take (HTAB_CREATE_FLAG_MASK without the LRU's NO_COMMON_LRU). */
export function hashFlags(): number {
  return MapFlag.NO_PREALLOC | MapFlag.NUMA_NODE | ACCESS_FLAGS | MapFlag.ZERO_SEED;
}

/** htab_map_alloc_check's size rules: max_entries, key and value ≥ 1, a key that fits the stack, a value below `limit`. */
export function checkHashSpec(spec: MapSpec, limit: number): void {
  if (spec.max_entries === 0) throw specError('EINVAL', spec, 'max_entries must be at least 1');
  if (spec.value_size === 0) throw specError('EINVAL', spec, 'value_size must be at least 1');
  if (spec.key_size === 0) throw specError('EINVAL', spec, 'key_size must be at least 1');
  if (spec.key_size > MAX_BPF_STACK) throw specError('E2BIG', spec, `key_size ${spec.key_size} is larger than the ${MAX_BPF_STACK}-byte stack`);
  if (spec.value_size >= limit) throw specError('E2BIG', spec, `value_size ${spec.value_size} is too large (limit ${limit})`);
}
