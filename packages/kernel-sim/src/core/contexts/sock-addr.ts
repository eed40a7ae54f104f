import type { Arena } from '@bpfhive/maps-store';
import { SOCK_ADDR } from '@bpfhive/uapi';
import type { ArenaBlock } from '../memory/regions.js';
import { member } from './layout.js';
import { buildContext } from './write.js';

/** The address a bind/connect/sendmsg/recvmsg call carries, as a cgroup sock_addr program sees it. */
export interface SockAddrInput {
  /** AF_INET (2) or AF_INET6 (10) or AF_UNIX (1). */
  readonly family: number;
  /** SOCK_STREAM (1), SOCK_DGRAM (2), … */
  readonly type: number;
  readonly protocol: number;
  /** IPv4: 4 bytes, network order; IPv6: 16 bytes. */
  readonly ip: Uint8Array;
  /** Host order; stored in network byte order, as Linux does. */
  readonly port: number;
  /** sendmsg: the source address. */
  readonly msgSrcIp?: Uint8Array;
}

/**
 * A `struct bpf_sock_addr` (the user's sockaddr: user_family, user_ip4 or user_ip6, user_port in
 * network byte order, then the socket's family, type and protocol). `sk` stays NULL until the
 * simulated world has sockets.
 */
export function buildSockAddr(arena: Arena, input: SockAddrInput): ArenaBlock {
  const v4 = input.ip.length === 4;
  const port = ((input.port & 0xff) << 8) | ((input.port >> 8) & 0xff);
  return buildContext(arena, SOCK_ADDR, {
    user_family: input.family,
    ...(v4 ? { user_ip4: input.ip } : { user_ip6: input.ip }),
    user_port: port,
    family: input.family,
    type: input.type,
    protocol: input.protocol,
    ...(input.msgSrcIp && (input.msgSrcIp.length === 4 ? { msg_src_ip4: input.msgSrcIp } : { msg_src_ip6: input.msgSrcIp })),
  });
}

/** sendmsg: the source address (`msg_src_ip4`, 4 bytes, or `msg_src_ip6`, 16; network order) after the programs ran. */
export function readSockAddrSource(ctx: Uint8Array, v4: boolean): Uint8Array {
  const src = member(SOCK_ADDR, v4 ? 'msg_src_ip4' : 'msg_src_ip6');
  return ctx.slice(src.offset, src.offset + src.size);
}

/**
 * The address a `struct bpf_sock_addr` holds after the programs ran: `user_ip4` (4 bytes) or
 * `user_ip6` (16), network order, and `user_port` (network order in its first two bytes) — what
 * the kernel's copy of the sockaddr holds once they rewrote it.
 */
export function readSockAddrTarget(ctx: Uint8Array, v4: boolean): { readonly ip: Uint8Array; readonly port: number } {
  const ip = member(SOCK_ADDR, v4 ? 'user_ip4' : 'user_ip6');
  const port = member(SOCK_ADDR, 'user_port').offset;
  return { ip: ctx.slice(ip.offset, ip.offset + ip.size), port: (ctx[port]! << 8) | ctx[port + 1]! };
}
