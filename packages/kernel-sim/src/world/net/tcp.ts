/**
 * TCP headers (RFC 9293): ports, sequence numbers, flags, window, options. The checksum covers
 * the pseudo-header, header and payload and is filled in by the frame builder (frame.ts).
 */
import { NetFormatError } from './errors.js';

export const TCP_MIN_HLEN = 20;

export const TcpFlags = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;
export type TcpFlagName = keyof typeof TcpFlags;

export interface TcpHeader {
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack: number;
  /** Header length in bytes (20 plus options). */
  readonly headerLength: number;
  readonly flags: number;
  readonly window: number;
  readonly checksum: number;
  readonly urgent: number;
  readonly options: Uint8Array;
}

export type TcpFields = Omit<TcpHeader, 'headerLength' | 'checksum' | 'options'> & { readonly options?: Uint8Array };

/** Flag names joined by `|` in bit order (`SYN|ACK`), or `none`. */
export function formatTcpFlags(flags: number): string {
  const names = (Object.keys(TcpFlags) as TcpFlagName[]).filter((n) => flags & TcpFlags[n]);
  return names.length ? names.join('|') : 'none';
}

/** `SYN|ACK`, `syn,ack` or an array of names → the flag bits. */
export function parseTcpFlags(text: string | readonly string[]): number {
  const names = typeof text === 'string' ? text.split(/[|,\s]+/).filter(Boolean) : text;
  let flags = 0;
  for (const name of names) {
    const bit = TcpFlags[name.toUpperCase() as TcpFlagName];
    if (bit === undefined) throw new NetFormatError(`tcp flags: unknown flag "${name}"`);
    flags |= bit;
  }
  return flags;
}

/** Writes the header with a zero checksum; returns the header length. */
export function writeTcp(buf: Uint8Array, offset: number, h: TcpFields): number {
  const options = h.options ?? new Uint8Array(0);
  if (options.length % 4 !== 0 || options.length > 40) throw new NetFormatError('build tcp: options must be a multiple of 4 bytes, at most 40');
  const hlen = TCP_MIN_HLEN + options.length;
  const v = new DataView(buf.buffer, buf.byteOffset);
  v.setUint16(offset, h.sport);
  v.setUint16(offset + 2, h.dport);
  v.setUint32(offset + 4, h.seq >>> 0);
  v.setUint32(offset + 8, h.ack >>> 0);
  buf[offset + 12] = (hlen >> 2) << 4;
  buf[offset + 13] = h.flags;
  v.setUint16(offset + 14, h.window);
  v.setUint16(offset + 16, 0);
  v.setUint16(offset + 18, h.urgent);
  buf.set(options, offset + TCP_MIN_HLEN);
  return hlen;
}

export function readTcp(buf: Uint8Array, offset: number): TcpHeader {
  if (buf.length - offset < TCP_MIN_HLEN) throw new NetFormatError(`parse tcp: ${buf.length - offset} bytes, need ${TCP_MIN_HLEN}`);
  const v = new DataView(buf.buffer, buf.byteOffset);
  const hlen = (buf[offset + 12]! >> 4) * 4;
  if (hlen < TCP_MIN_HLEN || offset + hlen > buf.length) throw new NetFormatError(`parse tcp: header length ${hlen}`);
  return {
    sport: v.getUint16(offset),
    dport: v.getUint16(offset + 2),
    seq: v.getUint32(offset + 4),
    ack: v.getUint32(offset + 8),
    headerLength: hlen,
    flags: buf[offset + 13]!,
    window: v.getUint16(offset + 14),
    checksum: v.getUint16(offset + 16),
    urgent: v.getUint16(offset + 18),
    options: buf.slice(offset + TCP_MIN_HLEN, offset + hlen),
  };
}

/** Offset of the checksum field inside the header. */
export const TCP_CHECKSUM_OFFSET = 16;
