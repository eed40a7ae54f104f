import { type HashInlineMap, HASH_EMPTY, HASH_TOMBSTONE, hashKeyWords, keyWords, slotWords } from '../kernel/hash-table.js';

/**
 * Test support: a hash table written into a wasm memory the way kernel/hash-table.ts describes
 * (the maps-store engine's layout), for the differential fixture and the tests of the lookups,
 * which need no map engine. Inserts
 * reuse the first tombstone on a key's probe path, as the engine does; deletes leave tombstones;
 * rebuild() moves the live slots into a new slot array and points the cell at it, as the engine's
 * tombstone sweep does. Memory is handed out upwards from `at`: the cell, slot arrays, elements.
 */
export interface TestHashTableOptions {
  readonly pointer: number;
  readonly at: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly capacity: number;
  readonly seed: number;
  /** Default: keys of up to 4 words in the slots, as the engine does. */
  readonly keysInSlots?: boolean;
  /** Values per element (a per-CPU map's CPUs); default 1, a plain map. */
  readonly cpus?: number;
  /** LRU: a ref byte this far into each element (after its values). */
  readonly lru?: boolean;
}

const round8 = (n: number): number => Math.ceil(n / 8) * 8;

/** The descriptor of the table TestHashTable writes with these options (its cell at `at`). */
export function testHashInlineMap(options: TestHashTableOptions): HashInlineMap {
  const cpus = options.cpus ?? 1;
  const valueOffset = round8(options.keySize);
  return {
    kind: 'hash',
    pointer: options.pointer,
    keySize: options.keySize,
    seed: options.seed,
    capacity: options.capacity,
    slotsCell: options.at,
    keysInSlots: options.keysInSlots ?? Math.ceil(options.keySize / 4) <= 4,
    valueOffset,
    ...(cpus > 1 && { cpuStride: round8(options.valueSize) }),
    ...(options.lru === true && { refOffset: valueOffset + cpus * round8(options.valueSize) }),
  };
}

export class TestHashTable {
  readonly map: HashInlineMap;
  readonly #u32: Uint32Array;
  readonly #bytes: Uint8Array;
  #top: number;
  readonly #elementSize: number;
  /** Live keys (hex) -> element address. */
  readonly #elements = new Map<string, number>();

  constructor(
    readonly memory: WebAssembly.Memory,
    options: TestHashTableOptions,
  ) {
    this.map = testHashInlineMap(options);
    this.#elementSize = this.map.valueOffset + (options.cpus ?? 1) * round8(options.valueSize) + (options.lru === true ? 8 : 0);
    this.#u32 = new Uint32Array(memory.buffer);
    this.#bytes = new Uint8Array(memory.buffer);
    this.#top = options.at + 8;
    this.#u32[options.at >> 2] = this.#alloc(this.#slotBytes);
  }

  get #slotBytes(): number {
    return this.map.capacity * slotWords(this.map) * 4;
  }

  #alloc(size: number): number {
    const at = this.#top;
    this.#top += round8(size);
    if (this.#top > this.#bytes.length) throw new RangeError('test hash table: out of memory');
    this.#bytes.fill(0, at, at + size);
    return at;
  }

  /** The key's words, the last zero-padded. */
  #words(key: Uint8Array): number[] {
    const words = new Array<number>(keyWords(this.map)).fill(0);
    key.forEach((b, i) => (words[i >> 2] = (words[i >> 2]! | (b << (8 * (i & 3)))) >>> 0));
    return words;
  }

  #slot(i: number): number {
    return (this.#u32[this.map.slotsCell >> 2]! >> 2) + i * slotWords(this.map);
  }

  #holds(s: number, words: number[], hash: number): boolean {
    const u32 = this.#u32;
    if (this.map.keysInSlots) return words.every((w, k) => u32[s + 1 + k] === w);
    return u32[s + 1] === hash && words.every((w, k) => u32[(u32[s]! >> 2) + k] === w);
  }

  /** Memory handed out so far ends here. */
  get top(): number {
    return this.#top;
  }

  /** The element of `key`, a new one (zeroed values) when it is not in the table. */
  insert(key: Uint8Array): number {
    const known = this.elementOf(key);
    if (known !== undefined) return known;
    const words = this.#words(key);
    const hash = hashKeyWords(this.map.seed, this.map.keySize, words);
    const mask = this.map.capacity - 1;
    let reuse = -1;
    let i = hash & mask;
    for (let left = this.map.capacity; ; i = (i + 1) & mask, left--) {
      if (left === 0) throw new RangeError('test hash table: full');
      const link = this.#u32[this.#slot(i)]!;
      if (link === HASH_EMPTY) break;
      if (link === HASH_TOMBSTONE && reuse < 0) reuse = i;
    }
    const s = this.#slot(reuse >= 0 ? reuse : i);
    const element = this.#alloc(this.#elementSize);
    this.#bytes.set(key, element);
    if (this.map.keysInSlots) words.forEach((w, k) => (this.#u32[s + 1 + k] = w));
    else this.#u32[s + 1] = hash;
    this.#u32[s] = element;
    this.#elements.set(Buffer.from(key).toString('hex'), element);
    return element;
  }

  /** Leaves a tombstone in `key`'s slot; false when it is not in the table. */
  delete(key: Uint8Array): boolean {
    const words = this.#words(key);
    const hash = hashKeyWords(this.map.seed, this.map.keySize, words);
    const mask = this.map.capacity - 1;
    for (let i = hash & mask, left = this.map.capacity; left > 0; i = (i + 1) & mask, left--) {
      const s = this.#slot(i);
      const link = this.#u32[s]!;
      if (link === HASH_EMPTY) return false;
      if (link !== HASH_TOMBSTONE && this.#holds(s, words, hash)) {
        this.#u32[s] = HASH_TOMBSTONE;
        this.#elements.delete(Buffer.from(key).toString('hex'));
        return true;
      }
    }
    return false;
  }

  /** Moves the live slots into a new slot array (no tombstones) and points the cell at it. */
  rebuild(): void {
    const old = this.#u32[this.map.slotsCell >> 2]!;
    const fresh = this.#alloc(this.#slotBytes);
    this.#u32[this.map.slotsCell >> 2] = fresh;
    const stride = slotWords(this.map);
    const mask = this.map.capacity - 1;
    for (let i = 0; i < this.map.capacity; i++) {
      const from = (old >> 2) + i * stride;
      const link = this.#u32[from]!;
      if (link === HASH_EMPTY || link === HASH_TOMBSTONE) continue;
      const words = this.map.keysInSlots ? [...this.#u32.subarray(from + 1, from + stride)] : [...this.#u32.subarray(link >> 2, (link >> 2) + keyWords(this.map))];
      let j = hashKeyWords(this.map.seed, this.map.keySize, words) & mask;
      while (this.#u32[this.#slot(j)] !== HASH_EMPTY) j = (j + 1) & mask;
      this.#u32.copyWithin(this.#slot(j), from, from + stride);
    }
  }

  /** Turns every empty slot into a tombstone: probes then only end after `capacity` slots. */
  fillWithTombstones(): void {
    for (let i = 0; i < this.map.capacity; i++) if (this.#u32[this.#slot(i)] === HASH_EMPTY) this.#u32[this.#slot(i)] = HASH_TOMBSTONE;
  }

  /** The element holding `key`, if it is in the table. */
  elementOf(key: Uint8Array): number | undefined {
    return this.#elements.get(Buffer.from(key).toString('hex'));
  }

  /** The address a lookup of `key` gives on CPU `cpu`: its value's, or 0. */
  expected(key: Uint8Array, cpu = 0): number {
    const element = this.elementOf(key);
    return element === undefined ? 0 : element + this.map.valueOffset + cpu * (this.map.cpuStride ?? 0);
  }
}
