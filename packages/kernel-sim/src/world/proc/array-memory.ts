/**
 * A UserMemory over a plain growable byte array, for tests and for running the world without a
 * kernel-sim: addresses start at 64 KiB (so 0 is never valid), blocks are 8-byte aligned and
 * never reused.
 */
import type { UserMemory } from '../ports.js';

const BASE = 0x10000;

export class ArrayUserMemory implements UserMemory {
  #bytes = new Uint8Array(1 << 16);
  #top = 0;

  alloc(size: number): number {
    const at = this.#top;
    this.#top += Math.max(8, Math.ceil(size / 8) * 8);
    if (this.#top > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#top, this.#bytes.length * 2));
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    return BASE + at;
  }

  write(address: number, bytes: Uint8Array): void {
    const at = address - BASE;
    if (at < 0 || at + bytes.length > this.#top) throw new RangeError(`user memory: write of ${bytes.length} bytes at 0x${address.toString(16)} is outside every block`);
    this.#bytes.set(bytes, at);
  }

  free(): void {}

  /** `length` bytes at `address` (a copy). */
  read(address: number, length: number): Uint8Array {
    const at = address - BASE;
    if (at < 0 || at + length > this.#top) throw new RangeError(`user memory: read of ${length} bytes at 0x${address.toString(16)} is outside every block`);
    return this.#bytes.slice(at, at + length);
  }

  /** The NUL-terminated string at `address` (what probe_read_user_str reads). */
  readString(address: number, max = 4096): string {
    const at = address - BASE;
    const end = this.#bytes.subarray(at, at + max).indexOf(0);
    return new TextDecoder().decode(this.#bytes.subarray(at, end < 0 ? at + max : at + end));
  }

  /** The u64 at `address`, little-endian. */
  readU64(address: number): bigint {
    return new DataView(this.#bytes.buffer).getBigUint64(address - BASE, true);
  }
}
