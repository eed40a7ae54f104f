import { BpfError, MapFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { type BpfMap, checkLength, round8 } from '../map.js';
import { type MapSpec, specError } from '../spec.js';
import { checkSyscallUpdateFlags, negErrno } from './queue-stack.js';
import type { MapTypeSupport } from './types.js';

/** Record header bits in its u32 len (include/uapi/linux/bpf.h). */
export const BPF_RINGBUF_BUSY_BIT = 0x80000000;
export const BPF_RINGBUF_DISCARD_BIT = 0x40000000;
export const BPF_RINGBUF_HDR_SZ = 8;

/** Flags of bpf_ringbuf_submit / discard / output (BPF_RB_*). */
export const RingbufFlag = { NO_WAKEUP: 1, FORCE_WAKEUP: 2 } as const;
/** What bpf_ringbuf_query answers (BPF_RB_*). */
export const RingbufQuery = { AVAIL_DATA: 0, RING_SIZE: 1, CONS_POS: 2, PROD_POS: 3 } as const;

/** The page size ring buffers are laid out in (x86-64). */
export const RINGBUF_PAGE_SIZE = 4096;
/** The largest record a program may reserve (UINT_MAX / 4: the two top len bits are flags). */
export const RINGBUF_MAX_RECORD_SZ = 0x3fffffff;
/** Pages before the consumer position page (the kernel's private part of struct bpf_ringbuf). */
const RINGBUF_PGOFF = 1;
const RINGBUF_POS_PAGES = 2;
/** The largest data area: the header's page offset is 32 bits, 8 kept for extensions. */
export const RINGBUF_MAX_DATA_SZ = (2 ** 24 - RINGBUF_POS_PAGES - RINGBUF_PGOFF) * RINGBUF_PAGE_SIZE;

const BUSY = BPF_RINGBUF_BUSY_BIT;
const DISCARD = BPF_RINGBUF_DISCARD_BIT;
const FLAG_BITS = BUSY | DISCARD;
/** A record's bytes in the ring: header + sample, rounded up to 8 (libbpf's roundup_len). */
const recordLength = (len: number): number => round8(((len & ~FLAG_BITS) >>> 0) + BPF_RINGBUF_HDR_SZ);

/** Ring buffers by arena and base address, to find a ring from a record (bpf_ringbuf_restore_from_rec). */
const ringsByArena = new WeakMap<Arena, Map<number, RingBufMap>>();

/** A user-space consumer's callback (libbpf's ring_buffer_sample_fn): a negative return stops consume. */
export type RingbufSampleFn = (sample: Uint8Array, size: number) => number | void;

/**
 * BPF_MAP_TYPE_RINGBUF, as kernel/bpf/ringbuf.c, with the consumer side of libbpf's ringbuf.c.
 *
 * Layout in the arena, page-aligned, like struct bpf_ringbuf:
 *
 *   base + 0            the kernel's private page (here: pending_pos, u64)
 *   base + 4096         consumer_pos (u64; user space advances it)
 *   base + 8192         producer_pos (u64; the kernel advances it)
 *   base + 12288        data: max_entries bytes, then a mirror of max_entries bytes
 *
 * Positions only grow; a position's offset in the data is pos % max_entries. A record is an
 * 8-byte header — u32 len (sample size | BUSY while reserved | DISCARD once discarded), u32 pg_off
 * (pages from base to the header, to find the ring again) — then the sample, rounded up to 8.
 *
 * Contiguous records across the end: Linux maps the data pages twice, so a record that wraps is
 * still one run of memory for the program. Here the data area is allocated twice the size: a
 * reserve that wraps first fills the mirror with what the ring holds there (a program sees the
 * same stale bytes as in Linux), the program writes one contiguous run, and submit copies the part
 * past the end back to the start of the ring before it clears BUSY. Positions and headers are
 * exactly Linux's (no padding records), so a consumer that reads with wrap handling (consume
 * here) sees every record as Linux writes it; one that reads contiguously, as libbpf does over its
 * double mapping, sees the same bytes, because a wrapped record stays in the mirror until it is
 * consumed.
 *
 * Producer side (programs): reserve / submit / discard / output / query, as the helpers. A
 * reservation fails (NULL) when flags are set, the size is too large, or the record would take the
 * producer more than max_entries - 1 bytes ahead of the consumer or of the oldest record still
 * being written (pending_pos: the fix for overrunning reservations, so user space moving the
 * consumer position cannot make a reservation overwrite a busy record).
 *
 * Consumer side (user space): consume reads committed records in order, skips discarded ones,
 * stops at a busy one and advances consumer_pos, as ring_buffer__consume.
 *
 * The syscall commands (lookup, update, delete, get_next_key, lookup_and_delete) are ENOTSUPP,
 * and so are the generic map helpers (the verifier lets programs call only the ringbuf helpers).
 */
export class RingBufMap implements BpfMap {
  readonly cpus = 1;
  readonly syscallValueSize = 0;
  /** Start of the ring (page-aligned): the private page. */
  readonly base: number;
  readonly consumerPosAddress: number;
  readonly producerPosAddress: number;
  readonly dataAddress: number;
  /** Data bytes (max_entries), a power of two and a multiple of the page size. */
  readonly size: number;
  readonly #pendingPosAddress: number;
  #u64: BigUint64Array;
  readonly #listeners = new Set<() => void>();
  #wakeups = 0;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
  ) {
    this.size = spec.max_entries;
    const pages = RINGBUF_PGOFF + RINGBUF_POS_PAGES;
    this.base = arena.alloc(pages * RINGBUF_PAGE_SIZE + 2 * this.size, RINGBUF_PAGE_SIZE);
    this.#pendingPosAddress = this.base;
    this.consumerPosAddress = this.base + RINGBUF_PGOFF * RINGBUF_PAGE_SIZE;
    this.producerPosAddress = this.consumerPosAddress + RINGBUF_PAGE_SIZE;
    this.dataAddress = this.base + pages * RINGBUF_PAGE_SIZE;
    this.#u64 = new BigUint64Array(arena.u32.buffer);
    let rings = ringsByArena.get(arena);
    if (!rings) ringsByArena.set(arena, (rings = new Map()));
    rings.set(this.base, this);
  }

  /**
   * BpfMap.dispose: the ring (its pages and the doubled data area) goes back to the arena, its
   * consumers' wakeup listeners are dropped and fromSample no longer finds it. A program that
   * still holds a reserved sample writes into memory the arena reuses only after a grace period.
   */
  dispose(): void {
    this.#listeners.clear();
    const rings = ringsByArena.get(this.arena);
    if (rings?.get(this.base) === this) rings.delete(this.base);
    this.arena.free(this.base, (RINGBUF_PGOFF + RINGBUF_POS_PAGES) * RINGBUF_PAGE_SIZE + 2 * this.size);
  }

  /** The ring a reserved sample belongs to, from the page offset in its header (as the kernel finds it). */
  static fromSample(arena: Arena, sampleAddress: number): RingBufMap | undefined {
    const header = sampleAddress - BPF_RINGBUF_HDR_SZ;
    if (!Number.isInteger(header) || header < 0 || header % 8 !== 0 || header + 8 > arena.memory.buffer.byteLength) return undefined;
    const base = Math.floor(header / RINGBUF_PAGE_SIZE) * RINGBUF_PAGE_SIZE - arena.loadU32(header + 4) * RINGBUF_PAGE_SIZE;
    return ringsByArena.get(arena)?.get(base);
  }

  /** A header's pg_off: whole pages from the ring's base (bpf_ringbuf_rec_pg_off). */
  #pageOffset(header: number): number {
    return Math.floor((header - this.base) / RINGBUF_PAGE_SIZE);
  }

  #positions(): BigUint64Array {
    const buffer = this.arena.u32.buffer;
    if (this.#u64.buffer !== buffer) this.#u64 = new BigUint64Array(buffer);
    return this.#u64;
  }

  /** A u64 position (smp_load_acquire). */
  #load(address: number): number {
    return Number(Atomics.load(this.#positions(), address / 8));
  }

  /** Stores a u64 position (smp_store_release). */
  #store(address: number, position: number): void {
    Atomics.store(this.#positions(), address / 8, BigInt(position));
  }

  get consumerPos(): number {
    return this.#load(this.consumerPosAddress);
  }

  get producerPos(): number {
    return this.#load(this.producerPosAddress);
  }

  /** The oldest record that may still be busy, as far as the last reservation looked. */
  get pendingPos(): number {
    return this.#load(this.#pendingPosAddress);
  }

  /** Bytes between the consumer and the producer: what poll() reports as readable when non-zero. */
  availableData(): number {
    return this.producerPos - this.consumerPos;
  }

  /** Times the kernel woke consumers (irq_work queued on submit). */
  get wakeups(): number {
    return this.#wakeups;
  }

  /** Calls `listener` at every wakeup (what epoll on the map fd waits for); returns the unsubscribe. */
  onWakeup(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #wakeup(): void {
    this.#wakeups++;
    for (const listener of this.#listeners) listener();
  }

  // The program side.

  /** bpf_ringbuf_reserve: the sample's address, or 0 (NULL) when flags are set or there is no room. */
  reserve(size: number, flags: number): number {
    if (flags !== 0) return 0;
    return this.#reserve(size);
  }

  #reserve(size: number): number {
    if (!Number.isSafeInteger(size) || size < 0 || size > RINGBUF_MAX_RECORD_SZ) return 0;
    const len = round8(size + BPF_RINGBUF_HDR_SZ);
    if (len > this.size) return 0;
    const mask = this.size - 1;
    const consumer = this.#load(this.consumerPosAddress);
    const producer = this.#load(this.producerPosAddress);
    const u32 = this.arena.u32;
    const data = this.dataAddress;
    // Walk pending_pos past the records committed since the last reservation.
    let pending = this.#load(this.#pendingPosAddress);
    while (pending < producer) {
      const headerLen = Atomics.load(u32, (data + (pending % this.size)) >> 2);
      if ((headerLen & BUSY) !== 0) break;
      pending += recordLength(headerLen);
    }
    this.#store(this.#pendingPosAddress, pending);
    const next = producer + len;
    // The producer stays at most size - 1 bytes ahead of the consumer and of the oldest busy record.
    if (next - consumer > mask || next - pending > mask) return 0;
    const offset = producer % this.size;
    const header = data + offset;
    u32[header >> 2] = size + BUSY;
    u32[(header >> 2) + 1] = this.#pageOffset(header);
    if (offset + len > this.size) {
      // Wraps: the program writes on into the mirror, which starts as the ring's own bytes there.
      const bytes = this.arena.bytes;
      bytes.copyWithin(data + this.size, data, data + offset + len - this.size);
    }
    this.#store(this.producerPosAddress, next);
    return header + BPF_RINGBUF_HDR_SZ;
  }

  /** bpf_ringbuf_submit: commits a reserved record. Always 0. */
  submit(sampleAddress: number, flags: number): number {
    this.#commit(sampleAddress, flags, false);
    return 0;
  }

  /** bpf_ringbuf_discard: marks a reserved record discarded (consumers skip it). Always 0. */
  discard(sampleAddress: number, flags: number): number {
    this.#commit(sampleAddress, flags, true);
    return 0;
  }

  /** bpf_ringbuf_output: reserve, copy `size` bytes from `dataAddress`, submit. 0, -EINVAL for flags, -EAGAIN when full. */
  output(dataAddress: number, size: number, flags: number): number {
    if (!Number.isSafeInteger(flags) || flags < 0 || flags > (RingbufFlag.NO_WAKEUP | RingbufFlag.FORCE_WAKEUP)) return negErrno('EINVAL');
    const sample = this.#reserve(size);
    if (sample === 0) return negErrno('EAGAIN');
    this.arena.bytes.copyWithin(sample, dataAddress, dataAddress + size);
    this.#commit(sample, flags, false);
    return 0;
  }

  /** bpf_ringbuf_query: available bytes, ring size, consumer or producer position; 0 for anything else. */
  query(flags: number): number {
    switch (flags) {
      case RingbufQuery.AVAIL_DATA:
        return this.availableData();
      case RingbufQuery.RING_SIZE:
        return this.size;
      case RingbufQuery.CONS_POS:
        return this.consumerPos;
      case RingbufQuery.PROD_POS:
        return this.producerPos;
      default:
        return 0;
    }
  }

  #commit(sampleAddress: number, flags: number, discard: boolean): void {
    const header = sampleAddress - BPF_RINGBUF_HDR_SZ;
    const offset = header - this.dataAddress;
    const u32 = this.arena.u32;
    const len = Number.isInteger(offset) && offset >= 0 && offset < this.size && offset % 8 === 0 ? u32[header >> 2]! : 0;
    if ((len & BUSY) === 0 || u32[(header >> 2) + 1] !== this.#pageOffset(header)) {
      throw new BpfError('EINVAL', `ringbuf ${discard ? 'discard' : 'submit'}: 0x${sampleAddress.toString(16)} is not a record reserved in this ring buffer (or it was already committed)`);
    }
    const end = offset + recordLength(len);
    if (!discard && end > this.size) {
      // The part written past the end goes back to the start of the ring before BUSY clears.
      this.arena.bytes.copyWithin(this.dataAddress, this.dataAddress + this.size, this.dataAddress + end);
    }
    const committed = ((len ^ BUSY) | (discard ? DISCARD : 0)) >>> 0;
    Atomics.exchange(u32, header >> 2, committed);
    // Wake the consumer if it waits on this very record, or when asked to.
    const consumerOffset = this.#load(this.consumerPosAddress) % this.size;
    if ((flags & RingbufFlag.FORCE_WAKEUP) !== 0) this.#wakeup();
    else if (consumerOffset === offset && (flags & RingbufFlag.NO_WAKEUP) === 0) this.#wakeup();
  }

  // The consumer side (user space).

  /**
   * ring_buffer__consume for this ring: calls `callback(sample, size)` for each committed record
   * in order, skips discarded ones, stops at a record still being written (busy), and advances
   * consumer_pos past each record handled. The sample is a view into the ring, valid during the
   * callback (a copy when the record wraps). Returns the records handed over, or the callback's
   * negative return (that record counts as consumed).
   */
  consume(callback: RingbufSampleFn): number {
    const u32 = this.arena.u32;
    let consumer = this.#load(this.consumerPosAddress);
    let count = 0;
    let gotNewData: boolean;
    do {
      gotNewData = false;
      const producer = this.#load(this.producerPosAddress);
      while (consumer < producer) {
        const offset = consumer % this.size;
        const len = Atomics.load(u32, (this.dataAddress + offset) >> 2);
        if ((len & BUSY) !== 0) return count;
        gotNewData = true;
        consumer += recordLength(len);
        if ((len & DISCARD) === 0) {
          const size = (len & ~FLAG_BITS) >>> 0;
          const result = callback(this.#sample(offset + BPF_RINGBUF_HDR_SZ, size), size);
          if (typeof result === 'number' && result < 0) {
            this.#store(this.consumerPosAddress, consumer);
            return result;
          }
          count++;
        }
        this.#store(this.consumerPosAddress, consumer);
      }
    } while (gotNewData);
    return count;
  }

  /** `size` bytes from data offset `from`, wrapping around the end of the ring. */
  #sample(from: number, size: number): Uint8Array {
    const bytes = this.arena.bytes;
    const start = from % this.size;
    const at = this.dataAddress + start;
    if (start + size <= this.size) return bytes.subarray(at, at + size);
    const first = this.size - start;
    const out = new Uint8Array(size);
    out.set(bytes.subarray(at, at + first));
    out.set(bytes.subarray(this.dataAddress, this.dataAddress + size - first), first);
    return out;
  }

  // The syscall side: ENOTSUPP, after the checks the syscall makes first.

  lookup(key: Uint8Array): Uint8Array {
    checkLength('key', key, 0);
    throw new BpfError('ENOTSUPP', 'lookup: a ring buffer has no elements; read it with a consumer');
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    checkSyscallUpdateFlags(flags);
    checkLength('key', key, 0);
    checkLength('value', value, 0);
    throw new BpfError('ENOTSUPP', 'update: a ring buffer has no elements; programs write records with bpf_ringbuf_output / reserve');
  }

  delete(key: Uint8Array): void {
    checkLength('key', key, 0);
    throw new BpfError('ENOTSUPP', 'delete: a ring buffer has no elements');
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    if (key !== undefined) checkLength('key', key, 0);
    throw new BpfError('ENOTSUPP', 'get_next_key: a ring buffer has no keys');
  }

  lookupAndDelete(_key: Uint8Array, _flags?: number): Uint8Array {
    throw new BpfError('ENOTSUPP', 'lookup_and_delete: not supported by a ring buffer');
  }

  /** Snapshots keep no records: a ring's unread samples belong to its reader, not to the map's state. */
  records(): Iterable<readonly [Uint8Array, Uint8Array]> {
    return [];
  }

  /** An empty ring: every position back to 0. */
  clear(): void {
    for (const address of [this.#pendingPosAddress, this.consumerPosAddress, this.producerPosAddress]) this.#store(address, 0);
  }

  // The generic map helpers, as the kernel's ops answer them (the verifier rejects the calls).

  lookupAddress(_keyAddress: number, _cpu: number): number {
    return 0;
  }

  updateAt(_keyAddress: number, _valueAddress: number, _flags: number, _cpu: number): number {
    return negErrno('ENOTSUPP');
  }

  deleteAt(_keyAddress: number): number {
    return negErrno('ENOTSUPP');
  }
}

/** For a u32 (ToInt32 keeps the bits). */
const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** RINGBUF: ringbuf_map_alloc's checks. Only BPF_F_NUMA_NODE is allowed (not even the access flags). */
export const ringbufMapType: MapTypeSupport = {
  allowedFlags: MapFlag.NUMA_NODE,
  check(spec) {
    if (spec.key_size !== 0) throw specError('EINVAL', spec, `key_size must be 0, got ${spec.key_size}`);
    if (spec.value_size !== 0) throw specError('EINVAL', spec, `value_size must be 0, got ${spec.value_size}`);
    if (!isPowerOfTwo(spec.max_entries) || spec.max_entries % RINGBUF_PAGE_SIZE !== 0) {
      throw specError('EINVAL', spec, `max_entries (the data size) must be a power of two and a multiple of ${RINGBUF_PAGE_SIZE}, got ${spec.max_entries}`);
    }
    if (spec.max_entries > RINGBUF_MAX_DATA_SZ) throw specError('E2BIG', spec, `max_entries ${spec.max_entries} is larger than ${RINGBUF_MAX_DATA_SZ}`);
  },
  create: (spec, arena) => new RingBufMap(spec, arena),
};
