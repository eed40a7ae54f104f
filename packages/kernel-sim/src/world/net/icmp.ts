/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) share one 8-byte header shape: type, code, checksum and
 * four bytes whose meaning depends on the type (identifier and sequence for echo). ICMPv4's
 * checksum covers the message; ICMPv6's adds the IPv6 pseudo-header. The frame builder fills both.
 */
import { NetFormatError } from './errors.js';

export const ICMP_HLEN = 8;
export const ICMP_CHECKSUM_OFFSET = 2;

export const IcmpType = { ECHO_REPLY: 0, DEST_UNREACH: 3, ECHO_REQUEST: 8, TIME_EXCEEDED: 11 } as const;
export const Icmp6Type = {
  DEST_UNREACH: 1,
  PACKET_TOO_BIG: 2,
  ECHO_REQUEST: 128,
  ECHO_REPLY: 129,
  NEIGHBOR_SOLICIT: 135,
  NEIGHBOR_ADVERT: 136,
} as const;

export interface IcmpHeader {
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  /** The four type-specific bytes as a big-endian u32 (echo: identifier << 16 | sequence). */
  readonly rest: number;
}

/** Echo identifier and sequence → the `rest` word. */
export function echoRest(id: number, seq: number): number {
  return ((id & 0xffff) * 0x10000 + (seq & 0xffff)) >>> 0;
}

export function writeIcmp(buf: Uint8Array, offset: number, h: Omit<IcmpHeader, 'checksum'>): void {
  const v = new DataView(buf.buffer, buf.byteOffset);
  buf[offset] = h.type;
  buf[offset + 1] = h.code;
  v.setUint16(offset + 2, 0);
  v.setUint32(offset + 4, h.rest >>> 0);
}

export function readIcmp(buf: Uint8Array, offset: number): IcmpHeader {
  if (buf.length - offset < ICMP_HLEN) throw new NetFormatError(`parse icmp: ${buf.length - offset} bytes, need ${ICMP_HLEN}`);
  const v = new DataView(buf.buffer, buf.byteOffset);
  return { type: buf[offset]!, code: buf[offset + 1]!, checksum: v.getUint16(offset + 2), rest: v.getUint32(offset + 4) };
}
