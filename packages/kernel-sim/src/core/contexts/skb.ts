import type { Arena } from '@bpfhive/maps-store';
import { SK_BUFF } from '@bpfhive/uapi';
import type { ArenaBlock } from '../memory/regions.js';
import type { NetDevice } from '../net/devices.js';
import { ETH_HLEN, PacketBuffer, SKB_SHARED_INFO_SIZE } from './packet.js';
import { type FieldValue, buildContext } from './write.js';

/** NET_SKB_PAD + NET_IP_ALIGN on x86-64: headroom before a received packet. */
export const NET_SKB_PAD = 64;

/** Packet types (skb->pkt_type) and protocol numbers the context reports. */
export const PacketType = { HOST: 0, BROADCAST: 1, MULTICAST: 2, OTHERHOST: 3 } as const;
const ETH_P_802_3_MIN = 0x0600;
const ETH_P_802_3 = 0x0001;
const ETH_P_802_2 = 0x0004;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const AF_INET = 2;
const AF_INET6 = 10;

/** The __sk_buff fields a caller sets (what BPF_PROG_TEST_RUN's ctx_in may carry). */
export interface SkbFields {
  readonly mark?: number;
  readonly priority?: number;
  readonly ingress_ifindex?: number;
  readonly tstamp?: bigint;
  /** 0 or absent: the packet's length. */
  readonly wire_len?: number;
  readonly gso_segs?: number;
  readonly gso_size?: number;
  readonly hwtstamp?: bigint;
  /** The 20 bytes of cb[5]. */
  readonly cb?: Uint8Array;
}

export interface SkbInput {
  /** The whole frame, Ethernet header first. */
  readonly frame: Uint8Array;
  /** The device it arrived on. */
  readonly device: NetDevice;
  /** True for tc programs: data starts at the MAC header; otherwise at the network header. */
  readonly l2: boolean;
  readonly fields: SkbFields;
}

/** eth_type_trans: the packet type against the device's address, and the protocol (host order). */
export function ethTypeTrans(frame: Uint8Array, device: NetDevice): { pktType: number; protocol: number } {
  const dest = frame.subarray(0, 6);
  const equal = (a: Uint8Array, b: Uint8Array): boolean => a.every((x, i) => x === b[i]);
  let pktType: number = PacketType.HOST;
  if (!equal(dest, device.address)) {
    if ((dest[0]! & 1) !== 0) pktType = equal(dest, device.broadcast) ? PacketType.BROADCAST : PacketType.MULTICAST;
    else pktType = PacketType.OTHERHOST;
  }
  const proto = (frame[12]! << 8) | frame[13]!;
  if (proto >= ETH_P_802_3_MIN) return { pktType, protocol: proto };
  const sap = frame.length >= ETH_HLEN + 2 ? (frame[14]! << 8) | frame[15]! : 0;
  return { pktType, protocol: sap === 0xffff ? ETH_P_802_3 : ETH_P_802_2 };
}

/** The socket fields test_run fills from the IP header (family, local = source, remote = destination). */
function socketFields(frame: Uint8Array, protocol: number): Record<string, FieldValue> {
  const ip = frame.subarray(ETH_HLEN);
  if (protocol === ETH_P_IP && ip.length >= 20) return { family: AF_INET, local_ip4: ip.slice(12, 16), remote_ip4: ip.slice(16, 20) };
  if (protocol === ETH_P_IPV6 && ip.length >= 40) return { family: AF_INET6, local_ip6: ip.slice(8, 24), remote_ip6: ip.slice(24, 40) };
  return {};
}

/**
 * A received packet as an __sk_buff: the frame after NET_SKB_PAD of headroom, data at the MAC
 * header (tc) or the network header, the protocol in network byte order as Linux stores it,
 * pkt_type, the device's ifindex, the socket fields, and wire_len defaulting to len. The
 * caller frees both blocks.
 */
export function buildSkbContext(arena: Arena, input: SkbInput): { ctx: ArenaBlock; packet: PacketBuffer } {
  const { frame, device, l2, fields } = input;
  const block = PacketBuffer.allocBlock(arena, NET_SKB_PAD + Math.ceil(frame.length / 64) * 64 + SKB_SHARED_INFO_SIZE);
  const head = block.address + NET_SKB_PAD;
  arena.bytes.set(frame, head);
  const data = l2 ? head : head + ETH_HLEN;
  const dataEnd = head + frame.length;
  const { pktType, protocol } = ethTypeTrans(frame, device);
  const ctx = buildContext(arena, SK_BUFF, {
    ...socketFields(frame, protocol),
    ...fields,
    len: dataEnd - data,
    pkt_type: pktType,
    protocol: ((protocol & 0xff) << 8) | (protocol >> 8),
    ifindex: device.ifindex,
    data,
    data_end: dataEnd,
    data_meta: data,
    wire_len: fields.wire_len || dataEnd - data,
  });
  return { ctx, packet: new PacketBuffer(arena, ctx.address, SK_BUFF, block) };
}
