/**
 * A socket as kernel objects: its `struct sock` (with room for a tcp_sock, which holds the
 * inet_sock and sock_common Linux programs read), its `struct socket`, and its sockfs dentry and
 * inode. Addresses and ports are stored as Linux stores them: skc_daddr, skc_rcv_saddr,
 * skc_v6_* and inet_saddr in network order, skc_dport and inet_sport in network order, skc_num
 * (the local port) in host order.
 */
import { ipBytes } from '../world/net/addr.js';
import { SS_CONNECTED, SS_UNCONNECTED, TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN } from './linux-constants.js';
import type { KernelBlock, KernelStructs } from './kernel-structs.js';
import type { SocketDentry, VfsObjects } from './vfs-objects.js';

export const AF_INET = 2;
export const AF_INET6 = 10;
const SOCK_STREAM = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

export interface SocketEnd {
  readonly address: string;
  readonly port: number;
}

/** What the world knows about a socket. */
export interface SocketState {
  /** AF_INET or AF_INET6. */
  readonly family: number;
  /** SOCK_STREAM (1) or SOCK_DGRAM (2). */
  readonly type: number;
  readonly local?: SocketEnd;
  readonly remote?: SocketEnd;
  readonly listening?: boolean;
  /** The owner's uid (sk_uid). */
  readonly uid?: number;
}

export class SocketObjects {
  readonly sock: number;
  readonly socket: number;
  readonly dentry: SocketDentry;
  readonly #blocks: KernelBlock[];

  constructor(
    private readonly structs: KernelStructs,
    vfs: VfsObjects,
    state: SocketState,
    /** The network namespace (`struct net`) it lives in. */
    private readonly net: number,
  ) {
    const sock = structs.alloc('tcp_sock');
    const socket = structs.alloc('socket');
    this.sock = sock.address;
    this.socket = socket.address;
    this.dentry = vfs.socketDentry(protocolName(state));
    this.#blocks = [sock, socket, ...this.dentry.blocks];
    this.write(state, 0);
  }

  /** Writes `state` into the sock and the socket; `file` is the socket's `struct file` (0 if none yet). */
  write(state: SocketState, file: number): void {
    const s = this.structs;
    const v4 = state.family === AF_INET;
    const tcp = state.type === SOCK_STREAM;
    const addr = (end: SocketEnd | undefined): Uint8Array => (end ? ipBytes(end.address) : new Uint8Array(v4 ? 4 : 16));
    const connected = state.remote !== undefined;
    s.write(this.sock, 'sock', {
      '__sk_common.skc_family': state.family,
      [v4 ? '__sk_common.skc_daddr' : '__sk_common.skc_v6_daddr']: addr(state.remote),
      [v4 ? '__sk_common.skc_rcv_saddr' : '__sk_common.skc_v6_rcv_saddr']: addr(state.local),
      '__sk_common.skc_dport': be16(state.remote?.port ?? 0),
      '__sk_common.skc_num': state.local?.port ?? 0,
      '__sk_common.skc_state': state.listening ? TCP_LISTEN : connected ? TCP_ESTABLISHED : TCP_CLOSE,
      '__sk_common.skc_net.net': this.net,
      '__sk_common.skc_refcnt.refs.counter': 1,
      sk_protocol: tcp ? IPPROTO_TCP : IPPROTO_UDP,
      sk_type: state.type,
      'sk_uid.val': state.uid ?? 0,
      sk_socket: this.socket,
    });
    s.write(this.sock, 'inet_sock', { inet_sport: be16(state.local?.port ?? 0), ...(v4 ? { inet_saddr: addr(state.local) } : {}) });
    s.write(this.socket, 'socket', { state: connected ? SS_CONNECTED : SS_UNCONNECTED, type: state.type, sk: this.sock, file });
  }

  release(): void {
    for (const b of this.#blocks) this.structs.free(b);
  }
}

/** A port in network byte order, as __be16 fields hold it. */
export function be16(port: number): Uint8Array {
  return Uint8Array.of((port >> 8) & 0xff, port & 0xff);
}

function protocolName(state: SocketState): string {
  return `${state.type === SOCK_STREAM ? 'TCP' : 'UDP'}${state.family === AF_INET6 ? 'v6' : ''}`;
}
