/**
 * Whole Ethernet frames: a builder from a layered description and a parser back into layers.
 *
 * Frames are what XDP sees between `data` and `data_end`: no preamble and no FCS. The builder
 * pads frames shorter than 60 bytes with zeros (the IP length fields exclude the padding) and
 * fills every length and checksum; the parser reports checksums as found, with `checksumOk`.
 */
import { formatIPv4, formatIPv6, ipBytes } from './addr.js';
import { ARP_LEN, readArp, writeArp, type ArpPacket } from './arp.js';
import { internetChecksum, transportChecksum } from './checksum.js';
import { NetFormatError } from './errors.js';
import {
  ETH_HLEN, ETH_ZLEN, EtherType, VLAN_HLEN, isVlanTpid, readEthernet, readVlan, writeEthernet, writeVlan,
  type EthernetHeader, type VlanTag,
} from './ethernet.js';
import { IpProto, type FiveTuple } from './flow.js';
import { ICMP_CHECKSUM_OFFSET, ICMP_HLEN, readIcmp, writeIcmp, type IcmpHeader } from './icmp.js';
import { IPV4_MIN_HLEN, ipv4ChecksumOk, readIpv4, writeIpv4, type Ipv4Header } from './ipv4.js';
import { IPV6_HLEN, readIpv6, skipIpv6Extensions, writeIpv6, type Ipv6Header } from './ipv6.js';
import { TCP_CHECKSUM_OFFSET, TCP_MIN_HLEN, readTcp, writeTcp, type TcpHeader } from './tcp.js';
import { UDP_CHECKSUM_OFFSET, UDP_HLEN, readUdp, writeUdp, type UdpHeader } from './udp.js';

/** The IP layer of a frame to build; the family follows the addresses. */
export interface IpSpec {
  readonly src: string;
  readonly dst: string;
  /** TTL or hop limit (default 64). */
  readonly ttl?: number;
  /** TOS or traffic class (default 0). */
  readonly tos?: number;
  /** IPv4 identification (default 0). */
  readonly id?: number;
  /** IPv4 don't-fragment bit (default true). */
  readonly df?: boolean;
  /** IPv6 flow label (default 0). */
  readonly flowLabel?: number;
}

export type L4Spec =
  | { readonly proto: 'tcp'; readonly sport: number; readonly dport: number; readonly seq?: number; readonly ack?: number; readonly flags?: number; readonly window?: number; readonly options?: Uint8Array }
  | { readonly proto: 'udp'; readonly sport: number; readonly dport: number }
  /** ICMP over IPv4 or ICMPv6 over IPv6, chosen by the IP family. */
  | { readonly proto: 'icmp'; readonly type: number; readonly code?: number; readonly rest?: number }
  /** Any other protocol number: the payload follows the IP header as is. */
  | { readonly proto: number };

export interface FrameSpec {
  readonly src: string;
  readonly dst: string;
  /** Tags outermost first. */
  readonly vlans?: readonly VlanTag[];
  readonly ip?: IpSpec;
  readonly l4?: L4Spec;
  /** ARP instead of IP. */
  readonly arp?: ArpPacket;
  /** An EtherType for a frame that is neither IP nor ARP (the payload follows the Ethernet header). */
  readonly etherType?: number;
  readonly payload?: Uint8Array;
  /** Pad to 60 bytes (default true). */
  readonly pad?: boolean;
}

const EMPTY = new Uint8Array(0);

function l4Length(l4: L4Spec | undefined): number {
  if (!l4) return 0;
  if (l4.proto === 'tcp') return TCP_MIN_HLEN + (l4.options?.length ?? 0);
  if (l4.proto === 'udp') return UDP_HLEN;
  if (l4.proto === 'icmp') return ICMP_HLEN;
  return 0;
}

function protoNumber(l4: L4Spec, family: 4 | 6): number {
  if (l4.proto === 'tcp') return IpProto.TCP;
  if (l4.proto === 'udp') return IpProto.UDP;
  if (l4.proto === 'icmp') return family === 4 ? IpProto.ICMP : IpProto.ICMPV6;
  return l4.proto;
}

/** Builds a frame; throws NetFormatError for inconsistent specs (an L4 layer without IP, …). */
export function buildFrame(spec: FrameSpec): Uint8Array {
  const payload = spec.payload ?? EMPTY;
  const vlans = spec.vlans ?? [];
  const l2 = ETH_HLEN + VLAN_HLEN * vlans.length;
  if (spec.l4 && !spec.ip) throw new NetFormatError('build frame: a transport layer needs an IP layer');
  const family = spec.ip ? (spec.ip.src.includes(':') ? 6 : 4) : 0;
  if (spec.ip && (spec.ip.dst.includes(':') ? 6 : 4) !== family) throw new NetFormatError('build frame: source and destination are of different families');
  const l3 = spec.ip ? (family === 4 ? IPV4_MIN_HLEN : IPV6_HLEN) : spec.arp ? ARP_LEN : 0;
  const l4 = l4Length(spec.l4);
  const length = l2 + l3 + l4 + payload.length;
  const buf = new Uint8Array(spec.pad === false ? length : Math.max(length, ETH_ZLEN));
  const innerType = spec.ip ? (family === 4 ? EtherType.IPV4 : EtherType.IPV6) : spec.arp ? EtherType.ARP : (spec.etherType ?? 0);
  const types = [...vlans.map((t) => t.tpid ?? EtherType.VLAN), innerType];
  writeEthernet(buf, 0, { dst: spec.dst, src: spec.src, etherType: types[0]! });
  vlans.forEach((tag, i) => writeVlan(buf, ETH_HLEN + i * VLAN_HLEN, tag, types[i + 1]!));

  if (spec.arp) writeArp(buf, l2, spec.arp);
  const l4At = l2 + l3;
  if (spec.ip) {
    const ip = spec.ip;
    const proto = spec.l4 ? protoNumber(spec.l4, family as 4 | 6) : 255;
    if (family === 4) {
      writeIpv4(buf, l2, {
        tos: ip.tos ?? 0, totalLength: l3 + l4 + payload.length, id: ip.id ?? 0, flags: ip.df === false ? 0 : 0x2,
        fragmentOffset: 0, ttl: ip.ttl ?? 64, protocol: proto, src: ip.src, dst: ip.dst,
      });
    } else {
      writeIpv6(buf, l2, {
        trafficClass: ip.tos ?? 0, flowLabel: ip.flowLabel ?? 0, payloadLength: l4 + payload.length, nextHeader: proto,
        hopLimit: ip.ttl ?? 64, src: ip.src, dst: ip.dst,
      });
    }
  }
  buf.set(payload, l4At + l4);
  if (spec.ip && spec.l4) fillTransport(buf, spec.ip, spec.l4, family as 4 | 6, l4At, l4 + payload.length);
  return buf;
}

function fillTransport(buf: Uint8Array, ip: IpSpec, l4: L4Spec, family: 4 | 6, at: number, segLength: number): void {
  const v = new DataView(buf.buffer, buf.byteOffset);
  const src = ipBytes(ip.src);
  const dst = ipBytes(ip.dst);
  const end = at + segLength;
  if (l4.proto === 'tcp') {
    writeTcp(buf, at, { sport: l4.sport, dport: l4.dport, seq: l4.seq ?? 0, ack: l4.ack ?? 0, flags: l4.flags ?? 0, window: l4.window ?? 65535, urgent: 0, options: l4.options });
    v.setUint16(at + TCP_CHECKSUM_OFFSET, transportChecksum(src, dst, IpProto.TCP, buf, at, end));
  } else if (l4.proto === 'udp') {
    writeUdp(buf, at, { sport: l4.sport, dport: l4.dport, length: segLength });
    v.setUint16(at + UDP_CHECKSUM_OFFSET, transportChecksum(src, dst, IpProto.UDP, buf, at, end) || 0xffff);
  } else if (l4.proto === 'icmp') {
    writeIcmp(buf, at, { type: l4.type, code: l4.code ?? 0, rest: l4.rest ?? 0 });
    const sum = family === 4 ? internetChecksum(buf, at, end) : transportChecksum(src, dst, IpProto.ICMPV6, buf, at, end);
    v.setUint16(at + ICMP_CHECKSUM_OFFSET, sum);
  }
}

/** A frame taken apart. Offsets are from the frame start; absent layers are undefined. */
export interface ParsedFrame {
  readonly eth: EthernetHeader;
  readonly vlans: readonly VlanTag[];
  /** The EtherType after the VLAN tags. */
  readonly etherType: number;
  readonly arp?: ArpPacket;
  readonly ipv4?: Ipv4Header;
  readonly ipv6?: Ipv6Header;
  /** The upper-layer protocol number of an IP frame. */
  readonly protocol?: number;
  readonly tcp?: TcpHeader;
  readonly udp?: UdpHeader;
  /** ICMP or ICMPv6 (see `protocol`). */
  readonly icmp?: IcmpHeader;
  readonly l3Offset: number;
  readonly l4Offset?: number;
  readonly payloadOffset: number;
  /** Bytes of upper-layer payload (padding excluded when the IP length says so). */
  readonly payloadLength: number;
  /** Whether every checksum present (IPv4 header, TCP, UDP, ICMP) verifies. */
  readonly checksumOk: boolean;
}

/** Parses a frame; throws NetFormatError on truncated or malformed headers. */
export function parseFrame(frame: Uint8Array): ParsedFrame {
  const eth = readEthernet(frame, 0);
  const vlans: VlanTag[] = [];
  let etherType = eth.etherType;
  let at = ETH_HLEN;
  while (isVlanTpid(etherType)) {
    const { tag, next } = readVlan(frame, at, etherType);
    vlans.push(tag);
    etherType = next;
    at += VLAN_HLEN;
  }
  const base = { eth, vlans, etherType, l3Offset: at };
  if (etherType === EtherType.ARP) {
    return { ...base, arp: readArp(frame, at), payloadOffset: at + ARP_LEN, payloadLength: 0, checksumOk: true };
  }
  let ipv4: Ipv4Header | undefined;
  let ipv6: Ipv6Header | undefined;
  let protocol: number;
  let l4At: number;
  let ipEnd: number;
  let src: Uint8Array;
  let dst: Uint8Array;
  let ok = true;
  if (etherType === EtherType.IPV4) {
    ipv4 = readIpv4(frame, at);
    ok = ipv4ChecksumOk(frame, at);
    protocol = ipv4.protocol;
    l4At = at + ipv4.headerLength;
    ipEnd = Math.min(frame.length, at + ipv4.totalLength);
    if (ipv4.fragmentOffset !== 0) return { ...base, ipv4, protocol, payloadOffset: l4At, payloadLength: ipEnd - l4At, checksumOk: ok };
    src = ipBytes(ipv4.src);
    dst = ipBytes(ipv4.dst);
  } else if (etherType === EtherType.IPV6) {
    ipv6 = readIpv6(frame, at);
    ipEnd = Math.min(frame.length, at + IPV6_HLEN + ipv6.payloadLength);
    ({ protocol, offset: l4At } = skipIpv6Extensions(frame, at + IPV6_HLEN, ipv6.nextHeader));
    src = ipBytes(ipv6.src);
    dst = ipBytes(ipv6.dst);
  } else {
    return { ...base, payloadOffset: at, payloadLength: frame.length - at, checksumOk: true };
  }
  const ip = { ...base, ipv4, ipv6, protocol, l4Offset: l4At };
  const seg = frame.subarray(0, ipEnd);
  const sumOk = (proto: number): boolean => transportChecksum(src, dst, proto, seg, l4At, ipEnd) === 0;
  if (protocol === IpProto.TCP) {
    const tcp = readTcp(seg, l4At);
    return { ...ip, tcp, payloadOffset: l4At + tcp.headerLength, payloadLength: ipEnd - l4At - tcp.headerLength, checksumOk: ok && sumOk(IpProto.TCP) };
  }
  if (protocol === IpProto.UDP) {
    const udp = readUdp(seg, l4At);
    const udpOk = (ipv4 && udp.checksum === 0) || sumOk(IpProto.UDP);
    return { ...ip, udp, payloadOffset: l4At + UDP_HLEN, payloadLength: ipEnd - l4At - UDP_HLEN, checksumOk: ok && udpOk };
  }
  if (protocol === IpProto.ICMP || protocol === IpProto.ICMPV6) {
    const icmp = readIcmp(seg, l4At);
    const icmpOk = protocol === IpProto.ICMP ? internetChecksum(seg, l4At, ipEnd) === 0 : sumOk(IpProto.ICMPV6);
    return { ...ip, icmp, payloadOffset: l4At + ICMP_HLEN, payloadLength: ipEnd - l4At - ICMP_HLEN, checksumOk: ok && icmpOk };
  }
  return { ...ip, payloadOffset: l4At, payloadLength: ipEnd - l4At, checksumOk: ok };
}

/** The upper-layer payload of a parsed frame. */
export function payloadOf(frame: Uint8Array, parsed: ParsedFrame): Uint8Array {
  return frame.subarray(parsed.payloadOffset, parsed.payloadOffset + parsed.payloadLength);
}

/** The 5-tuple of a parsed IP frame (ports 0 without TCP/UDP), or undefined for non-IP frames. */
export function tupleOfParsed(p: ParsedFrame): FiveTuple | undefined {
  const ip = p.ipv4 ?? p.ipv6;
  if (!ip || p.protocol === undefined) return undefined;
  const ports = p.tcp ?? p.udp;
  return { proto: p.protocol, src: ip.src, dst: ip.dst, sport: ports?.sport ?? 0, dport: ports?.dport ?? 0 };
}

/**
 * Where a frame's flow fields are, as locateFlow found them (one shared scratch object: read it
 * before the next call). Addresses are `addrBytes` bytes (4 or 16) at srcAt and dstAt; ports at
 * l4At when `ports`.
 */
export interface FlowLocation {
  protocol: number;
  addrBytes: number;
  srcAt: number;
  dstAt: number;
  l4At: number;
  ports: boolean;
}

const located: FlowLocation = { protocol: 0, addrBytes: 0, srcAt: 0, dstAt: 0, l4At: 0, ports: false };

/**
 * Finds the flow fields of a frame without allocating: undefined where tupleOf gives undefined
 * (not IP, or a header parseFrame would reject), else the shared FlowLocation. The hot path of
 * every arrival (RSS) and of flow-log records: it reads only the bytes the tuple needs — no header
 * objects, MAC strings, option copies or checksums, which parseFrame computes.
 */
export function locateFlow(frame: Uint8Array): FlowLocation | undefined {
  const length = frame.length;
  if (length < ETH_HLEN) return undefined;
  let etherType = (frame[12]! << 8) | frame[13]!;
  let at = ETH_HLEN;
  while (isVlanTpid(etherType)) {
    if (length - at < VLAN_HLEN) return undefined;
    etherType = (frame[at + 2]! << 8) | frame[at + 3]!;
    at += VLAN_HLEN;
  }
  const out = located;
  let ipEnd: number;
  if (etherType === EtherType.IPV4) {
    if (length - at < IPV4_MIN_HLEN) return undefined;
    const hlen = (frame[at]! & 0xf) * 4;
    if (frame[at]! >> 4 !== 4 || hlen < IPV4_MIN_HLEN || at + hlen > length) return undefined;
    out.protocol = frame[at + 9]!;
    out.addrBytes = 4;
    out.srcAt = at + 12;
    out.dstAt = at + 16;
    out.l4At = at + hlen;
    out.ports = false;
    // A fragment past the first: no transport header (ports 0).
    if ((((frame[at + 6]! << 8) | frame[at + 7]!) & 0x1fff) !== 0) return out;
    ipEnd = Math.min(length, at + ((frame[at + 2]! << 8) | frame[at + 3]!));
  } else if (etherType === EtherType.IPV6) {
    if (length - at < IPV6_HLEN || frame[at]! >> 4 !== 6) return undefined;
    ipEnd = Math.min(length, at + IPV6_HLEN + ((frame[at + 4]! << 8) | frame[at + 5]!));
    let next = frame[at + 6]!;
    let l4At = at + IPV6_HLEN;
    if (IPV6_EXTENSIONS.has(next)) {
      try {
        ({ protocol: next, offset: l4At } = skipIpv6Extensions(frame, l4At, next));
      } catch {
        return undefined;
      }
    }
    out.protocol = next;
    out.addrBytes = 16;
    out.srcAt = at + 8;
    out.dstAt = at + 24;
    out.l4At = l4At;
    out.ports = false;
  } else {
    return undefined;
  }
  // parseFrame reads the transport header within the IP datagram (ipEnd) and fails when it is short.
  const room = ipEnd - out.l4At;
  const protocol = out.protocol;
  if (protocol === IpProto.TCP) {
    const thlen = room >= TCP_MIN_HLEN ? (frame[out.l4At + 12]! >> 4) * 4 : 0;
    if (thlen < TCP_MIN_HLEN || thlen > room) return undefined;
    out.ports = true;
  } else if (protocol === IpProto.UDP) {
    if (room < UDP_HLEN) return undefined;
    out.ports = true;
  } else if ((protocol === IpProto.ICMP || protocol === IpProto.ICMPV6) && room < ICMP_HLEN) {
    return undefined;
  }
  return out;
}

/** Extension headers skipIpv6Extensions walks. */
const IPV6_EXTENSIONS = new Set([0, 43, 44, 60]);

/**
 * The 5-tuple of a frame, or undefined when it is not IP or cannot be parsed. Never throws. What
 * tupleOfParsed(parseFrame(frame)) gives, at the cost of locateFlow and two address strings.
 */
export function tupleOf(frame: Uint8Array): FiveTuple | undefined {
  const f = locateFlow(frame);
  if (!f) return undefined;
  const v4 = f.addrBytes === 4;
  const src = v4 ? formatIPv4(u32be(frame, f.srcAt)) : formatIPv6(frame, f.srcAt);
  const dst = v4 ? formatIPv4(u32be(frame, f.dstAt)) : formatIPv6(frame, f.dstAt);
  const at = f.l4At;
  return f.ports
    ? { proto: f.protocol, src, dst, sport: (frame[at]! << 8) | frame[at + 1]!, dport: (frame[at + 2]! << 8) | frame[at + 3]! }
    : { proto: f.protocol, src, dst, sport: 0, dport: 0 };
}

/** The big-endian u32 at `at`. */
const u32be = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
