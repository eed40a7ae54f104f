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

export class AddressSpace {
  readonly #regions: Region[] = [];

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
    return region;
  }

  /** Removes a region; unknown regions are ignored. */
  unmap(region: Region): void {
    const at = this.#regions.indexOf(region);
    if (at >= 0) this.#regions.splice(at, 1);
  }

  /** The region holding all of [address, address + size), or undefined. */
  locate(address: bigint, size: number): Location | undefined {
    for (const region of this.#regions) {
      const offset = address - region.base;
      if (offset >= 0n && offset + BigInt(size) <= BigInt(region.bytes.length)) {
        return { region, offset: Number(offset) };
      }
    }
    return undefined;
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

  /** The bytes of [address, address + size), checked for `access`; a view, not a copy. */
  bytesAt(address: bigint, size: number, access: AccessKind): Uint8Array {
    const at = this.locate(address, size);
    if (at === undefined) throw new MemoryFault('out of bounds', access, address, size, this.describe(address));
    if (access !== 'load' && !at.region.writable) {
      throw new MemoryFault('read-only', access, address, size, this.describe(address));
    }
    return at.region.bytes.subarray(at.offset, at.offset + size);
  }

  /** Loads a little-endian unsigned value of `size` bytes. */
  load(address: bigint, size: 1 | 2 | 4 | 8): bigint {
    return readLittleEndian(this.bytesAt(address, size, 'load'));
  }

  /** Stores the low `size` bytes of `value`, little-endian. */
  store(address: bigint, size: 1 | 2 | 4 | 8, value: bigint): void {
    writeLittleEndian(this.bytesAt(address, size, 'store'), value);
  }

  /**
   * Read-modify-write: checks write access, loads the old value, stores `update(old)` unless it
   * is undefined, and returns the old value.
   */
  atomicUpdate(address: bigint, size: 4 | 8, update: (old: bigint) => bigint | undefined): bigint {
    const bytes = this.bytesAt(address, size, 'atomic');
    const old = readLittleEndian(bytes);
    const next = update(old);
    if (next !== undefined) writeLittleEndian(bytes, next);
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
