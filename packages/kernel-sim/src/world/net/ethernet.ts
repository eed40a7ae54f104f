/**
 * Ethernet II headers and 802.1Q / 802.1ad VLAN tags, in the byte order of the wire.
 */
import { formatMac, parseMac } from './addr.js';
import { NetFormatError } from './errors.js';

export const ETH_HLEN = 14;
export const VLAN_HLEN = 4;
/** Shortest frame on the wire without the FCS; shorter frames are padded with zeros. */
export const ETH_ZLEN = 60;

/** EtherType values the world understands. */
export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  IPV6: 0x86dd,
} as const;

export interface EthernetHeader {
  readonly dst: string;
  readonly src: string;
  /** The EtherType after the MAC addresses (a VLAN TPID when tagged). */
  readonly etherType: number;
}

/** One VLAN tag: TPID (0x8100, or 0x88a8 for an outer service tag), priority, drop-eligible bit, VLAN id. */
export interface VlanTag {
  readonly tpid?: number;
  readonly pcp?: number;
  readonly dei?: boolean;
  readonly vid: number;
}

export function isVlanTpid(etherType: number): boolean {
  return etherType === EtherType.VLAN || etherType === EtherType.QINQ;
}

/** Writes the 14-byte header at `offset`. */
export function writeEthernet(buf: Uint8Array, offset: number, h: EthernetHeader): void {
  buf.set(parseMac(h.dst), offset);
  buf.set(parseMac(h.src), offset + 6);
  buf[offset + 12] = h.etherType >> 8;
  buf[offset + 13] = h.etherType & 0xff;
}

export function readEthernet(buf: Uint8Array, offset: number): EthernetHeader {
  if (buf.length - offset < ETH_HLEN) throw new NetFormatError(`parse ethernet: ${buf.length - offset} bytes, need ${ETH_HLEN}`);
  return { dst: formatMac(buf, offset), src: formatMac(buf, offset + 6), etherType: (buf[offset + 12]! << 8) | buf[offset + 13]! };
}

/** Writes a tag's TCI and the EtherType that follows it (4 bytes; the TPID is the previous EtherType). */
export function writeVlan(buf: Uint8Array, offset: number, tag: VlanTag, next: number): void {
  if (tag.vid < 0 || tag.vid > 4095) throw new NetFormatError(`build vlan: vid ${tag.vid} outside 0..4095`);
  const tci = ((tag.pcp ?? 0) << 13) | (tag.dei ? 0x1000 : 0) | tag.vid;
  buf[offset] = tci >> 8;
  buf[offset + 1] = tci & 0xff;
  buf[offset + 2] = next >> 8;
  buf[offset + 3] = next & 0xff;
}

/** Reads the TCI after a TPID; returns the tag and the EtherType that follows. */
export function readVlan(buf: Uint8Array, offset: number, tpid: number): { tag: VlanTag; next: number } {
  if (buf.length - offset < VLAN_HLEN) throw new NetFormatError('parse vlan: truncated tag');
  const tci = (buf[offset]! << 8) | buf[offset + 1]!;
  return {
    tag: { tpid, pcp: tci >> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0xfff },
    next: (buf[offset + 2]! << 8) | buf[offset + 3]!,
  };
}
