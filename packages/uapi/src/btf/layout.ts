/**
 * The byte layout of `.BTF`: the header, then `struct btf_type` records (12 bytes each) and
 * their kind-specific extra words, then the string table. Shared by the parser and the
 * encoder so that the two cannot disagree.
 */
import { BtfKind } from './kinds.js';

/** `struct btf_header`: magic u16, version u8, flags u8, hdr_len, type_off, type_len, str_off, str_len. */
export const BTF_HEADER_SIZE = 24;
/** `struct btf_type`: name_off, info, size_or_type. */
export const BTF_TYPE_SIZE = 12;

/** Bytes after a type record for one of `vlen` items, and bytes that come once. */
export function extraSize(kind: number, vlen: number): number | undefined {
  switch (kind) {
    case BtfKind.INT:
    case BtfKind.VAR:
    case BtfKind.DECL_TAG:
      return 4;
    case BtfKind.ARRAY:
      return 12;
    case BtfKind.STRUCT:
    case BtfKind.UNION:
    case BtfKind.DATASEC:
    case BtfKind.ENUM64:
      return 12 * vlen;
    case BtfKind.ENUM:
    case BtfKind.FUNC_PROTO:
      return 8 * vlen;
    case BtfKind.PTR:
    case BtfKind.FWD:
    case BtfKind.TYPEDEF:
    case BtfKind.VOLATILE:
    case BtfKind.CONST:
    case BtfKind.RESTRICT:
    case BtfKind.FUNC:
    case BtfKind.FLOAT:
    case BtfKind.TYPE_TAG:
      return 0;
    default:
      return undefined;
  }
}

/** `info`: vlen in bits 0-15, kind in bits 24-28, kind_flag in bit 31. */
export const infoOf = (kind: number, vlen: number, kflag: boolean): number =>
  ((kflag ? 0x80000000 : 0) | ((kind & 0x1f) << 24) | (vlen & 0xffff)) >>> 0;

/** An INT's extra word: encoding in bits 24-27, bit offset in bits 16-23, bit count in bits 0-7. */
export const intWordOf = (encoding: number, bitsOffset: number, bits: number): number =>
  (((encoding & 0xf) << 24) | ((bitsOffset & 0xff) << 16) | (bits & 0xff)) >>> 0;

/** A member's offset word with kflag: bitfield size in bits 24-31, bit offset in bits 0-23. */
export const memberOffsetWordOf = (kflag: boolean, bitOffset: number, bitfieldSize: number): number =>
  kflag ? (((bitfieldSize & 0xff) << 24) | (bitOffset & 0xffffff)) >>> 0 : bitOffset >>> 0;
