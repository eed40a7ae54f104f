/**
 * IPv4 headers (RFC 791) with options and the header checksum.
 */
import { formatIPv4, parseIPv4 } from './addr.js';
import { internetChecksum } from './checksum.js';
import { NetFormatError } from './errors.js';

export const IPV4_MIN_HLEN = 20;
/** Flag bits as they sit in the top three bits of the fragment field. */
export const Ipv4Flags = { DF: 0x2, MF: 0x1 } as const;

export interface Ipv4Header {
  /** Header length in bytes (20 plus options). */
  readonly headerLength: number;
  readonly tos: number;
  /** Header plus payload, in bytes. */
  readonly totalLength: number;
  readonly id: number;
  /** DF/MF bits (Ipv4Flags). */
  readonly flags: number;
  /** Fragment offset in 8-byte units. */
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  readonly src: string;
  readonly dst: string;
  readonly options: Uint8Array;
}

export type Ipv4Fields = Omit<Ipv4Header, 'headerLength' | 'checksum' | 'options'> & { readonly options?: Uint8Array };

/** Writes the header at `offset` and fills in its checksum; returns the header length. */
export function writeIpv4(buf: Uint8Array, offset: number, h: Ipv4Fields): number {
  const options = h.options ?? new Uint8Array(0);
  if (options.length % 4 !== 0 || options.length > 40) throw new NetFormatError('build ipv4: options must be a multiple of 4 bytes, at most 40');
  const hlen = IPV4_MIN_HLEN + options.length;
  const v = new DataView(buf.buffer, buf.byteOffset);
  buf[offset] = 0x40 | (hlen >> 2);
  buf[offset + 1] = h.tos;
  v.setUint16(offset + 2, h.totalLength);
  v.setUint16(offset + 4, h.id);
  v.setUint16(offset + 6, (h.flags << 13) | h.fragmentOffset);
  buf[offset + 8] = h.ttl;
  buf[offset + 9] = h.protocol;
  v.setUint16(offset + 10, 0);
  v.setUint32(offset + 12, parseIPv4(h.src));
  v.setUint32(offset + 16, parseIPv4(h.dst));
  buf.set(options, offset + IPV4_MIN_HLEN);
  v.setUint16(offset + 10, internetChecksum(buf, offset, offset + hlen));
  return hlen;
}

/** Reads a header; rejects a wrong version, a header length below 20 or past the buffer. */
export function readIpv4(buf: Uint8Array, offset: number): Ipv4Header {
  if (buf.length - offset < IPV4_MIN_HLEN) throw new NetFormatError(`parse ipv4: ${buf.length - offset} bytes, need ${IPV4_MIN_HLEN}`);
  const version = buf[offset]! >> 4;
  const hlen = (buf[offset]! & 0xf) * 4;
  if (version !== 4) throw new NetFormatError(`parse ipv4: version ${version}`);
  if (hlen < IPV4_MIN_HLEN || offset + hlen > buf.length) throw new NetFormatError(`parse ipv4: header length ${hlen}`);
  const v = new DataView(buf.buffer, buf.byteOffset);
  const frag = v.getUint16(offset + 6);
  return {
    headerLength: hlen,
    tos: buf[offset + 1]!,
    totalLength: v.getUint16(offset + 2),
    id: v.getUint16(offset + 4),
    flags: frag >> 13,
    fragmentOffset: frag & 0x1fff,
    ttl: buf[offset + 8]!,
    protocol: buf[offset + 9]!,
    checksum: v.getUint16(offset + 10),
    src: formatIPv4(v.getUint32(offset + 12)),
    dst: formatIPv4(v.getUint32(offset + 16)),
    options: buf.slice(offset + IPV4_MIN_HLEN, offset + hlen),
  };
}

/** Whether the header at `offset` carries a correct checksum. */
export function ipv4ChecksumOk(buf: Uint8Array, offset: number): boolean {
  return internetChecksum(buf, offset, offset + (buf[offset]! & 0xf) * 4) === 0;
}
