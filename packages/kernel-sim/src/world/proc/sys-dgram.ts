/**
 * sendto and recvfrom (their tracepoints and __x64_sys_ functions; __sys_sendto and
 * __sys_recvfrom take six arguments, more than BPF's clang lets vmlinux.c define, so they are
 * not kernel functions here, nor the msghdr-taking ones below them). A UDP datagram sent without a
 * connected peer runs the cgroup's udp4/6_sendmsg programs on its destination (and source), as
 * udp_sendmsg does when it has an address (`!connected`); one received runs the udp4/6_recvmsg
 * programs on its sender before recvfrom reports it, as udp_recvmsg does. A datagram to an
 * address a task of the world has bound a UDP socket to is queued there, from the sender's
 * address; others leave the machine. TCP ignores sendto's address, as tcp_sendmsg does.
 */
import { AF_INET, encodeSockaddr, endpoint, type Endpoint } from './sockaddr.js';
import { err, syscallFrame, type SysContext } from './sys-context.js';
import { socketOf } from './sys-net.js';
import type { SocketDesc } from './task.js';
import type { EventTrace } from './trace.js';

const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const encoder = new TextEncoder();

/**
 * write(2), or sendto without an address, on socket `s`: to its peer (a datagram is delivered
 * as `deliver` says); without one EPIPE for TCP (sk_stream_wait_connect) and EDESTADDRREQ for
 * UDP (udp_sendmsg).
 */
export function sendToPeer(ctx: SysContext, s: SocketDesc, data: Uint8Array): number {
  if (!s.remote) return err(s.type === SOCK_STREAM ? 'EPIPE' : 'EDESTADDRREQ');
  return s.type === SOCK_DGRAM ? deliver(ctx, s, { ...s.remote, family: familyOf(s) }, data) : data.length;
}

export function sysSendto(ctx: SysContext, trace: EventTrace, req: { fd: number; data?: string; count?: number; addr?: string }): number {
  const task = trace.task;
  const data = req.data !== undefined ? encoder.encode(req.data) : new Uint8Array(req.count ?? 0);
  const buf = task.memory.put(data);
  const dest = req.addr !== undefined ? endpoint(req.addr) : undefined;
  const sa = dest ? encodeSockaddr(dest) : undefined;
  const uaddr = sa ? task.memory.put(sa) : 0;
  const args = [BigInt(req.fd), BigInt(buf), BigInt(data.length), 0n, BigInt(uaddr), BigInt(sa?.length ?? 0)];
  return syscallFrame(ctx, trace, 'sendto', args, () => {
    const s = socketOf(task, req.fd);
    if (typeof s === 'number') return s;
    // TCP ignores the address (tcp_sendmsg); a UDP send without one goes to the peer.
    if (s.type !== SOCK_DGRAM || !dest) return sendToPeer(ctx, s, data);
    if ((s.family === AF_INET ? 4 : 6) !== dest.family) return err('EAFNOSUPPORT');
    // udp_sendmsg with an address: BPF_CGROUP_RUN_PROG_UDP{4,6}_SENDMSG_LOCK on the kernel's
    // copy of it, with msg_src_ip the bound address; a refusal is EPERM.
    const wildcard = dest.family === 4 ? '0.0.0.0' : '::';
    const hooked = ctx.sockAddr({ point: 'sendmsg', task: task.snapshot(), cpu: task.cpu, type: s.type, address: dest, source: s.local?.address ?? wildcard });
    if (!hooked.allowed) return err('EPERM');
    const source = hooked.source !== undefined && hooked.source !== wildcard ? hooked.source : undefined;
    return deliver(ctx, s, hooked.address, data, source);
  })!;
}

export function sysRecvfrom(ctx: SysContext, trace: EventTrace, req: { fd: number; count?: number }): { ret: number; from?: Endpoint } {
  const task = trace.task;
  const count = Math.min(req.count ?? 4096, task.memory.size);
  const buf = task.memory.reserve(count);
  const addrBuf = task.memory.reserve(28);
  const lenBuf = task.memory.put(Uint8Array.of(28, 0, 0, 0));
  let from: Endpoint | undefined;
  const args = [BigInt(req.fd), BigInt(buf), BigInt(count), 0n, BigInt(addrBuf), BigInt(lenBuf)];
  const ret = syscallFrame(ctx, trace, 'recvfrom', args, () => {
    const s = socketOf(task, req.fd);
    if (typeof s === 'number') return s;
    const received = s.inbox.shift();
    // Nothing queued: a datagram socket would block (EAGAIN as with MSG_DONTWAIT); a stream reads 0.
    if (!received) return s.type === SOCK_DGRAM ? err('EAGAIN') : 0;
    const data = received.data.subarray(0, count);
    if (data.length) task.memory.write(buf, data);
    const sender = received.from ?? (s.remote && { ...s.remote, family: familyOf(s) });
    if (sender) {
      // udp_recvmsg: BPF_CGROUP_RUN_SA_PROG(CGROUP_UDP{4,6}_RECVMSG) rewrites the sender user space sees.
      from = s.type === SOCK_DGRAM ? ctx.sockAddr({ point: 'recvmsg', task: task.snapshot(), cpu: task.cpu, type: s.type, address: sender }).address : sender;
      const sa = encodeSockaddr(from);
      task.memory.write(addrBuf, sa);
      task.memory.write(lenBuf, Uint8Array.of(sa.length, 0, 0, 0));
    }
    // A datagram longer than the buffer is truncated; recvfrom returns what it copied.
    return data.length;
  })!;
  return from && ret >= 0 ? { ret, from } : { ret };
}

function familyOf(s: SocketDesc): 4 | 6 {
  return s.family === AF_INET ? 4 : 6;
}

/**
 * The datagram leaves `s` (bound to an ephemeral port first, as inet_autobind does) for `to`; if
 * a UDP socket of the world is bound there, it is queued on it from `s`'s address (`source`
 * when a sendmsg program set one).
 */
function deliver(ctx: SysContext, s: SocketDesc, to: Endpoint, data: Uint8Array, source?: string): number {
  s.local ??= { address: ctx.localAddress[to.family], port: ctx.ephemeralPort() };
  const local = s.local.address === '0.0.0.0' || s.local.address === '::' ? ctx.localAddress[to.family] : s.local.address;
  const from: Endpoint = { family: to.family, address: source ?? local, port: s.local.port };
  const receiver = boundSocket(ctx, to);
  if (receiver && receiver !== s) receiver.inbox.push({ data: data.slice(), from });
  return data.length;
}

/** The UDP socket of the world bound to `to` (its address or the wildcard), if any. */
function boundSocket(ctx: SysContext, to: Endpoint): SocketDesc | undefined {
  const wildcard = to.family === 4 ? '0.0.0.0' : '::';
  for (const t of ctx.tasks.list()) {
    for (const d of t.fds.values()) {
      if (d.kind !== 'socket' || d.type !== SOCK_DGRAM || familyOf(d) !== to.family || d.local?.port !== to.port) continue;
      if (d.local.address === to.address || d.local.address === wildcard) return d;
    }
  }
  return undefined;
}
