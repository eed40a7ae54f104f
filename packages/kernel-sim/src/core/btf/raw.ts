/**
 * A `.BTF` blob as the kernel walks it in btf_parse(): the header fields, the string section and
 * the type records still in their encoded form (name offsets, info bits, extra words), so that
 * the log can print a record exactly as kernel/bpf/btf.c prints it, even one the type model
 * cannot hold. Little-endian only: the simulated kernel is x86-64, and Linux reads the header
 * in its own byte order (a big-endian blob fails with "Invalid magic").
 */
import { BTF_HEADER_SIZE, BTF_TYPE_SIZE, btfKindName } from '@bpfhive/uapi';

/** sizeof(struct btf_header). */
export const BTF_HEADER_LEN = BTF_HEADER_SIZE;
/** sizeof(struct btf_type). */
export const BTF_TYPE_LEN = BTF_TYPE_SIZE;

/** struct btf_header as read, fields missing from a short header left 0 (the kernel copies min(hdr_len, 24) bytes). */
export interface RawHeader {
  readonly magic: number;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

/** One type record: struct btf_type and the u32 words that follow it. */
export interface RawType {
  readonly id: number;
  readonly kind: number;
  readonly kflag: boolean;
  readonly vlen: number;
  readonly nameOff: number;
  readonly sizeOrType: number;
  readonly extra: readonly number[];
}

export const u32At = (bytes: Uint8Array, at: number): number => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);

export function readHeader(bytes: Uint8Array): RawHeader {
  const copy = new Uint8Array(BTF_HEADER_LEN);
  const hdrLen = u32At(bytes, 4);
  copy.set(bytes.subarray(0, Math.min(hdrLen, BTF_HEADER_LEN, bytes.length)));
  return {
    magic: copy[0]! | (copy[1]! << 8),
    version: copy[2]!,
    flags: copy[3]!,
    hdrLen,
    typeOff: u32At(copy, 8),
    typeLen: u32At(copy, 12),
    strOff: u32At(copy, 16),
    strLen: u32At(copy, 20),
  };
}

/** The kernel's view of the string section: names by offset, "(anon)" for offset 0. */
export class RawStrings {
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(readonly bytes: Uint8Array) {}

  /** btf_name_offset_valid(). */
  valid(offset: number): boolean {
    return offset < this.bytes.length;
  }

  /** The string at `offset` (up to its NUL). */
  at(offset: number): string {
    if (!this.valid(offset)) return '';
    const end = this.bytes.indexOf(0, offset);
    return this.#decoder.decode(this.bytes.subarray(offset, end < 0 ? this.bytes.length : end));
  }

  /** __btf_name_by_offset(): what log lines print for a name. */
  label(offset: number): string {
    if (offset === 0) return '(anon)';
    return this.valid(offset) ? this.at(offset) : '(invalid-name-offset)';
  }
}

/** The kernel's name for a kind in log lines (btf_kind_str). */
export const kindLabel = (kind: number): string => btfKindName(kind);

