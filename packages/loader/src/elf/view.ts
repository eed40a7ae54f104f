import type { Endianness } from '@bpfhive/uapi';
import { ElfError, hex } from './errors.js';

/**
 * Reads fixed-width fields of a byte range in one byte order. Every read is bounds-checked
 * and throws ElfError naming `what` instead of a RangeError; 64-bit fields must fit in a
 * JavaScript number (2^53), as every offset and size in a sane object does.
 */
export class FieldView {
  private readonly view: DataView;
  private readonly le: boolean;

  constructor(
    readonly bytes: Uint8Array,
    readonly endian: Endianness,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.le = endian === 'little';
  }

  private check(at: number, width: number, what: string): void {
    if (at < 0 || at + width > this.bytes.length) {
      throw new ElfError(`${what}: field at ${hex(at)} lies beyond the end of the data (${hex(this.bytes.length)} bytes)`);
    }
  }

  u8(at: number, what: string): number {
    this.check(at, 1, what);
    return this.view.getUint8(at);
  }

  u16(at: number, what: string): number {
    this.check(at, 2, what);
    return this.view.getUint16(at, this.le);
  }

  u32(at: number, what: string): number {
    this.check(at, 4, what);
    return this.view.getUint32(at, this.le);
  }

  /** A 64-bit field as a number; throws ElfError when it exceeds 2^53 - 1. */
  u64(at: number, what: string): number {
    this.check(at, 8, what);
    const v = this.view.getBigUint64(at, this.le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`${what}: value 0x${v.toString(16)} is too large`);
    return Number(v);
  }

  /** The two 32-bit halves of a 64-bit field (for r_info): high, low. */
  u64Halves(at: number, what: string): [number, number] {
    this.check(at, 8, what);
    const hi = this.view.getUint32(this.le ? at + 4 : at, this.le);
    const lo = this.view.getUint32(this.le ? at : at + 4, this.le);
    return [hi, lo];
  }
}
