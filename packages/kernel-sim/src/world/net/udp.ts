/**
 * UDP headers (RFC 768). The checksum is filled in by the frame builder; a computed 0 is sent as
 * 0xffff, and over IPv4 a received 0 means "no checksum".
 */
import { NetFormatError } from './errors.js';

export const UDP_HLEN = 8;
export const UDP_CHECKSUM_OFFSET = 6;

export interface UdpHeader {
  readonly sport: number;
  readonly dport: number;
  /** Header plus payload, in bytes. */
  readonly length: number;
  readonly checksum: number;
}

export function writeUdp(buf: Uint8Array, offset: number, h: Omit<UdpHeader, 'checksum'>): void {
  const v = new DataView(buf.buffer, buf.byteOffset);
  v.setUint16(offset, h.sport);
  v.setUint16(offset + 2, h.dport);
  v.setUint16(offset + 4, h.length);
  v.setUint16(offset + 6, 0);
}

export function readUdp(buf: Uint8Array, offset: number): UdpHeader {
  if (buf.length - offset < UDP_HLEN) throw new NetFormatError(`parse udp: ${buf.length - offset} bytes, need ${UDP_HLEN}`);
  const v = new DataView(buf.buffer, buf.byteOffset);
  return { sport: v.getUint16(offset), dport: v.getUint16(offset + 2), length: v.getUint16(offset + 4), checksum: v.getUint16(offset + 6) };
}
