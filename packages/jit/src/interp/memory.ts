import { type AccessKind, MemoryFault } from './errors.js';

/**
 * The memory a program can reach: regions placed in one 64-bit address space.
 *
 * A region is a byte array at a base address, readable always and writable when `writable`
 * says so. An access must lie wholly inside one region; anything else (a gap, a straddle, a
 * store into a read-only region) throws MemoryFault, which names the nearest region:
 * `out of bounds: 8-byte load at 0x7ff000000208 (stack frame 0 + 520)`.
 *
 * Multi-byte values are little-endian, as on the x86-64 and arm64 hosts eBPF runs on.
 */

/** A block of memory the program may access. */
export interface Region {
  /** Shown in error messages: `input`, `stack frame 0`, `map 3 value`, `xdp_md`. */
  readonly name: string;
  /** Address of bytes[0]. */
  readonly base: bigint;
  /** The contents; accesses read and write this array in place. */
  readonly bytes: Uint8Array;
  /** False for memory the program may only read (a context, a frozen map). */
  readonly writable: boolean;
}

/** Where an address falls: its region and the offset inside it. */
export interface Location {
  readonly region: Region;
  readonly offset: number;
}

const MAX_ADDRESS = 1n << 64n;

/** Whether typed arrays read little-endian here (they use the host's order; wasm and eBPF hosts are little-endian). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A mapped region as the access paths use it: its bounds as bigints, the highest address at which
 * an access of 1, 2, 4 or 8 bytes still fits (`last[size]`, below `base` when none does), and
 * views of its bytes: a DataView for any access, u32 and u64 arrays for aligned ones (when the
 * region's bytes are 8-aligned in their buffer and the host is little-endian). A bigint operation
 * allocates (15–20 ns each here), so the paths avoid them: an offset from a zero base is
 * Number(address), and typed arrays beat a DataView over shared memory.
 */
interface Span {
  readonly region: Region;
  readonly base: bigint;
  readonly zeroBase: boolean;
  readonly end: bigint;
  readonly last: readonly bigint[];
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly u32: Uint32Array | undefined;
  readonly u64: BigUint64Array | undefined;
}

function spanOf(region: Region): Span {
  const { bytes, base } = region;
  const end = base + BigInt(bytes.length);
  const last: bigint[] = [];
  for (const size of [1, 2, 4, 8]) last[size] = end - BigInt(size);
  const typed = LITTLE_ENDIAN && bytes.byteOffset % 8 === 0;
  return {
    region,
    base,
    zeroBase: base === 0n,
    end,
    last,
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    u32: typed ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2) : undefined,
    u64: typed ? new BigUint64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 3) : undefined,
  };
}

export class AddressSpace {
  readonly #regions: Region[] = [];
  /** One span per region, in mapping order. */
  readonly #spans: Span[] = [];
  /**
   * The span of the last access that found one: accesses cluster, and regions never overlap, so
   * a span holding an access is the only one that can.
   */
  #recent: Span | undefined;

  /** Creates an address space holding `regions` (see `map`). */
  constructor(regions: readonly Region[] = []) {
    for (const r of regions) this.map(r);
  }

  /** The mapped regions, in mapping order. */
  get regions(): readonly Region[] {
    return this.#regions;
  }

  /**
   * Adds a region. Rejects with RangeError one that leaves the 64-bit space or overlaps a
   * mapped region (empty regions overlap nothing).
   */
  map(region: Region): Region {
    const end = region.base + BigInt(region.bytes.length);
    if (region.base < 0n || end > MAX_ADDRESS) {
      throw new RangeError(`map region "${region.name}": it does not fit in the 64-bit address space`);
    }
    for (const other of this.#regions) {
      const otherEnd = other.base + BigInt(other.bytes.length);
      if (region.bytes.length > 0 && other.bytes.length > 0 && region.base < otherEnd && other.base < end) {
        throw new RangeError(`map region "${region.name}": it overlaps region "${other.name}"`);
      }
    }
    this.#regions.push(region);
    this.#spans.push(spanOf(region));
    return region;
  }

  /** Removes a region; unknown regions are ignored. */
  unmap(region: Region): void {
    const at = this.#regions.indexOf(region);
    if (at < 0) return;
    this.#regions.splice(at, 1);
    this.#spans.splice(at, 1);
    this.#recent = undefined;
  }

  /** The span holding all of [address, address + size), or undefined. */
  #find(address: bigint, size: number): Span | undefined {
    // An empty access fits at the end of one region and the start of the next: the first in
    // mapping order answers, so only accesses of a byte or more use (and set) #recent.
    const recent = this.#recent;
    if (size > 0 && recent !== undefined && address >= recent.base && address + BigInt(size) <= recent.end) return recent;
    for (const span of this.#spans) {
      if (address >= span.base && address + BigInt(size) <= span.end) {
        if (size > 0) this.#recent = span;
        return span;
      }
    }
    return undefined;
  }

  /** #find for the access sizes of loads and stores, without arithmetic on bigints. */
  #findWord(address: bigint, size: 1 | 2 | 4 | 8): Span | undefined {
    const recent = this.#recent;
    if (recent !== undefined && address >= recent.base && address <= recent.last[size]!) return recent;
    return this.#find(address, size);
  }

  /** The region holding all of [address, address + size), or undefined. */
  locate(address: bigint, size: number): Location | undefined {
    const span = this.#find(address, size);
    return span && { region: span.region, offset: Number(address - span.base) };
  }

  /** The address relative to the region it is in or nearest to, e.g. `input - 8`. */
  describe(address: bigint): string {
    let best: { text: string; distance: bigint } | undefined;
    for (const region of this.#regions) {
      const offset = address - region.base;
      const size = BigInt(region.bytes.length);
      const distance = offset < 0n ? -offset : offset >= size ? offset - size + 1n : 0n;
      if (best === undefined || distance < best.distance) {
        best = { text: offset < 0n ? `${region.name} - ${-offset}` : `${region.name} + ${offset}`, distance };
      }
    }
    return best?.text ?? 'no region is mapped';
  }

  /** The span of an access, checked for `access` (MemoryFault when it is refused). */
  #checked(span: Span | undefined, address: bigint, size: number, access: AccessKind): Span {
    if (span === undefined) throw new MemoryFault('out of bounds', access, address, size, this.describe(address));
    if (access !== 'load' && !span.region.writable) {
      throw new MemoryFault('read-only', access, address, size, this.describe(address));
    }
    return span;
  }

  /** The bytes of [address, address + size), checked for `access`; a view, not a copy. */
  bytesAt(address: bigint, size: number, access: AccessKind): Uint8Array {
    const span = this.#checked(this.#find(address, size), address, size, access);
    const offset = offsetIn(span, address);
    return span.region.bytes.subarray(offset, offset + size);
  }

  /** Loads a little-endian unsigned value of `size` bytes. */
  load(address: bigint, size: 1 | 2 | 4 | 8): bigint {
    const span = this.#checked(this.#findWord(address, size), address, size, 'load');
    return loadFrom(span, offsetIn(span, address), size);
  }

  /** Stores the low `size` bytes of `value`, little-endian. */
  store(address: bigint, size: 1 | 2 | 4 | 8, value: bigint): void {
    const span = this.#checked(this.#findWord(address, size), address, size, 'store');
    storeTo(span, offsetIn(span, address), size, value);
  }

  /**
   * Read-modify-write: checks write access, loads the old value, stores `update(old)` unless it
   * is undefined, and returns the old value.
   */
  atomicUpdate(address: bigint, size: 4 | 8, update: (old: bigint) => bigint | undefined): bigint {
    const span = this.#checked(this.#findWord(address, size), address, size, 'atomic');
    const offset = offsetIn(span, address);
    const old = loadFrom(span, offset, size);
    const next = update(old);
    if (next !== undefined) storeTo(span, offset, size, next);
    return old;
  }

  /** A copy of `length` bytes at `address` (for helpers). */
  read(address: bigint, length: number): Uint8Array {
    return this.bytesAt(address, length, 'load').slice();
  }

  /** Copies `data` to `address` (for helpers). */
  write(address: bigint, data: Uint8Array): void {
    this.bytesAt(address, data.length, 'store').set(data);
  }
}

const offsetIn = (span: Span, address: bigint): number => (span.zeroBase ? Number(address) : Number(address - span.base));

function loadFrom(span: Span, offset: number, size: 1 | 2 | 4 | 8): bigint {
  switch (size) {
    case 1:
      return BigInt(span.bytes[offset]!);
    case 2:
      return BigInt(span.view.getUint16(offset, true));
    case 4:
      return BigInt(span.u32 !== undefined && (offset & 3) === 0 ? span.u32[offset >> 2]! : span.view.getUint32(offset, true));
    case 8:
      return span.u64 !== undefined && (offset & 7) === 0 ? span.u64[offset >> 3]! : span.view.getBigUint64(offset, true);
  }
}

/** Stores the low `size` bytes of `value` (a BigUint64Array and setBigUint64 wrap to 64 bits themselves). */
function storeTo(span: Span, offset: number, size: 1 | 2 | 4 | 8, value: bigint): void {
  switch (size) {
    case 1:
      span.bytes[offset] = Number(value & 0xffn);
      return;
    case 2:
      return span.view.setUint16(offset, Number(value & 0xffffn), true);
    case 4:
      if (span.u32 !== undefined && (offset & 3) === 0) span.u32[offset >> 2] = Number(value & 0xffff_ffffn);
      else span.view.setUint32(offset, Number(value & 0xffff_ffffn), true);
      return;
    case 8:
      if (span.u64 !== undefined && (offset & 7) === 0) span.u64[offset >> 3] = value;
      else span.view.setBigUint64(offset, value, true);
      return;
  }
}

/** The unsigned little-endian number in `bytes`. */
export function readLittleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

/** Writes the low bytes of `value` into `bytes`, little-endian. */
export function writeLittleEndian(bytes: Uint8Array, value: bigint): void {
  let v = BigInt.asUintN(bytes.length * 8, value);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}
