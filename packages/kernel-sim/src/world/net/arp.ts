/**
 * ARP for Ethernet and IPv4 (RFC 826): 28 bytes after the Ethernet header.
 */
import { formatIPv4, formatMac, parseIPv4, parseMac } from './addr.js';
import { NetFormatError } from './errors.js';

export const ARP_LEN = 28;
export const ArpOp = { REQUEST: 1, REPLY: 2 } as const;

export interface ArpPacket {
  readonly op: number;
  readonly senderMac: string;
  readonly senderIp: string;
  readonly targetMac: string;
  readonly targetIp: string;
}

export function writeArp(buf: Uint8Array, offset: number, p: ArpPacket): void {
  const v = new DataView(buf.buffer, buf.byteOffset);
  v.setUint16(offset, 1); // htype Ethernet
  v.setUint16(offset + 2, 0x0800); // ptype IPv4
  buf[offset + 4] = 6;
  buf[offset + 5] = 4;
  v.setUint16(offset + 6, p.op);
  buf.set(parseMac(p.senderMac), offset + 8);
  v.setUint32(offset + 14, parseIPv4(p.senderIp));
  buf.set(parseMac(p.targetMac), offset + 18);
  v.setUint32(offset + 24, parseIPv4(p.targetIp));
}

/** Reads an Ethernet/IPv4 ARP packet; other hardware or protocol types are rejected. */
export function readArp(buf: Uint8Array, offset: number): ArpPacket {
  if (buf.length - offset < ARP_LEN) throw new NetFormatError(`parse arp: ${buf.length - offset} bytes, need ${ARP_LEN}`);
  const v = new DataView(buf.buffer, buf.byteOffset);
  if (v.getUint16(offset) !== 1 || v.getUint16(offset + 2) !== 0x0800 || buf[offset + 4] !== 6 || buf[offset + 5] !== 4) {
    throw new NetFormatError('parse arp: not Ethernet/IPv4 ARP');
  }
  return {
    op: v.getUint16(offset + 6),
    senderMac: formatMac(buf, offset + 8),
    senderIp: formatIPv4(v.getUint32(offset + 14)),
    targetMac: formatMac(buf, offset + 18),
    targetIp: formatIPv4(v.getUint32(offset + 24)),
  };
}
