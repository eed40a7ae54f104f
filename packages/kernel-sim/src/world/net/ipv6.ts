/**
 * IPv6 headers (RFC 8200) and the walk over extension headers to the upper layer.
 */
import { formatIPv6, parseIPv6 } from './addr.js';
import { NetFormatError } from './errors.js';

export const IPV6_HLEN = 40;

/** Extension headers skipped on the way to the upper layer: hop-by-hop, routing, fragment, destination options. */
const EXTENSIONS = new Set([0, 43, 44, 60]);

export interface Ipv6Header {
  readonly trafficClass: number;
  readonly flowLabel: number;
  /** Bytes after the fixed header (extension headers included). */
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly src: string;
  readonly dst: string;
}

export function writeIpv6(buf: Uint8Array, offset: number, h: Ipv6Header): void {
  const v = new DataView(buf.buffer, buf.byteOffset);
  v.setUint32(offset, ((6 << 28) | ((h.trafficClass & 0xff) << 20) | (h.flowLabel & 0xfffff)) >>> 0);
  v.setUint16(offset + 4, h.payloadLength);
  buf[offset + 6] = h.nextHeader;
  buf[offset + 7] = h.hopLimit;
  buf.set(parseIPv6(h.src), offset + 8);
  buf.set(parseIPv6(h.dst), offset + 24);
}

export function readIpv6(buf: Uint8Array, offset: number): Ipv6Header {
  if (buf.length - offset < IPV6_HLEN) throw new NetFormatError(`parse ipv6: ${buf.length - offset} bytes, need ${IPV6_HLEN}`);
  const v = new DataView(buf.buffer, buf.byteOffset);
  const first = v.getUint32(offset);
  if (first >>> 28 !== 6) throw new NetFormatError(`parse ipv6: version ${first >>> 28}`);
  return {
    trafficClass: (first >>> 20) & 0xff,
    flowLabel: first & 0xfffff,
    payloadLength: v.getUint16(offset + 4),
    nextHeader: buf[offset + 6]!,
    hopLimit: buf[offset + 7]!,
    src: formatIPv6(buf, offset + 8),
    dst: formatIPv6(buf, offset + 24),
  };
}

/**
 * Follows extension headers from `nextHeader` at `offset`; returns the upper-layer protocol and
 * where it starts. A fragment that is not the first stops the walk (protocol 44).
 */
export function skipIpv6Extensions(buf: Uint8Array, offset: number, nextHeader: number): { protocol: number; offset: number } {
  let proto = nextHeader;
  let at = offset;
  while (EXTENSIONS.has(proto)) {
    if (buf.length - at < 8) throw new NetFormatError('parse ipv6: truncated extension header');
    const next = buf[at]!;
    if (proto === 44) {
      const fragOffset = ((buf[at + 2]! << 8) | buf[at + 3]!) >> 3;
      if (fragOffset !== 0) return { protocol: 44, offset: at };
      at += 8;
    } else {
      at += (buf[at + 1]! + 1) * 8;
    }
    proto = next;
  }
  return { protocol: proto, offset: at };
}
