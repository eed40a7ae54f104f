/**
 * socket, bind, listen, connect and accept — through __sys_socket, __sys_bind, __sys_listen,
 * __sys_connect → tcp_v4_connect/tcp_v6_connect (with the kernel's copy of the address), and
 * __sys_accept4 → inet_csk_accept (whose return value is the new socket). bind and connect run
 * the cgroup sock_addr programs (SysContext.sockAddr) where Linux does: a refusal is EPERM, a
 * rewritten address is the one the socket binds to or connects to.
 */
import { AF_INET, AF_INET6, encodeSockaddr, endpoint, type Endpoint } from './sockaddr.js';
import { err, syscallFrame, type SysContext } from './sys-context.js';
import type { SocketDesc, Task } from './task.js';
import type { EventTrace } from './trace.js';

const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;

function sockAddr(ctx: SysContext, task: Task, fd: number, s: SocketDesc): bigint {
  const tuple = task.socketTuple(s);
  return ctx.objects.address({ type: 'sock', pid: task.pid, fd, family: s.family, ...(tuple ? { tuple } : {}) });
}

export function sysSocket(ctx: SysContext, trace: EventTrace, req: { family?: 'inet' | 'inet6'; type?: 'stream' | 'dgram' }): number {
  const task = trace.task;
  const family = req.family === 'inet6' ? AF_INET6 : AF_INET;
  const type = req.type === 'dgram' ? SOCK_DGRAM : SOCK_STREAM;
  return syscallFrame(ctx, trace, 'socket', [BigInt(family), BigInt(type), 0n], () =>
    Number(trace.call('__sys_socket', [BigInt(family), BigInt(type), 0n], () => {
      if (task.fds.size >= 1024) return err('EMFILE');
      const fd = task.allocFd();
      task.fds.set(fd, { kind: 'socket', family, type, listening: false, inbox: [] });
      return fd;
    })),
  )!;
}

/** The socket behind `fd`, or the errno to return (EBADF, ENOTSOCK). */
export function socketOf(task: Task, fd: number): SocketDesc | number {
  const d = task.fds.get(fd);
  if (!d) return err('EBADF');
  if (d.kind !== 'socket') return err('ENOTSOCK');
  return d;
}

function familyMatches(s: SocketDesc, e: Endpoint): boolean {
  return (s.family === AF_INET ? 4 : 6) === e.family;
}

export function sysBind(ctx: SysContext, trace: EventTrace, req: { fd: number; addr: string }): number {
  const task = trace.task;
  const e = endpoint(req.addr);
  const sa = encodeSockaddr(e);
  const uaddr = task.memory.put(sa);
  return syscallFrame(ctx, trace, 'bind', [BigInt(req.fd), BigInt(uaddr), BigInt(sa.length)], () =>
    Number(trace.call('__sys_bind', [BigInt(req.fd), BigInt(uaddr), BigInt(sa.length)], () => {
      const s = socketOf(task, req.fd);
      if (typeof s === 'number') return s;
      if (!familyMatches(s, e)) return err('EAFNOSUPPORT');
      // inet_bind: the cgroup's bind4/bind6 programs first (BPF_CGROUP_RUN_PROG_INET_BIND_LOCK).
      const hooked = ctx.sockAddr({ point: 'bind', task: task.snapshot(), cpu: task.cpu, type: s.type, address: e });
      if (!hooked.allowed) return err('EPERM');
      if (s.local) return err('EINVAL');
      s.local = { address: hooked.address.address, port: hooked.address.port };
      return 0;
    })),
  )!;
}

export function sysListen(ctx: SysContext, trace: EventTrace, req: { fd: number; backlog?: number }): number {
  const task = trace.task;
  const backlog = req.backlog ?? 4096;
  return syscallFrame(ctx, trace, 'listen', [BigInt(req.fd), BigInt(backlog)], () =>
    Number(trace.call('__sys_listen', [BigInt(req.fd), BigInt(backlog)], () => {
      const s = socketOf(task, req.fd);
      if (typeof s === 'number') return s;
      if (s.type !== SOCK_STREAM) return err('EOPNOTSUPP');
      s.listening = true;
      return 0;
    })),
  )!;
}

export function sysConnect(ctx: SysContext, trace: EventTrace, req: { fd: number; addr: string }): number {
  const task = trace.task;
  const e = endpoint(req.addr);
  const sa = encodeSockaddr(e);
  const uaddr = task.memory.put(sa);
  return syscallFrame(ctx, trace, 'connect', [BigInt(req.fd), BigInt(uaddr), BigInt(sa.length)], () =>
    Number(trace.call('__sys_connect', [BigInt(req.fd), BigInt(uaddr), BigInt(sa.length)], () => {
      const s = socketOf(task, req.fd);
      if (typeof s === 'number') return s;
      if (!familyMatches(s, e)) return err('EAFNOSUPPORT');
      if (s.listening) return err('EINVAL');
      if (s.remote && s.type === SOCK_STREAM) return err('EISCONN');
      // pre_connect (tcp_v4_pre_connect, udp_pre_connect…): the cgroup's connect4/connect6
      // programs see the kernel's copy of the address and may rewrite it; a refusal is EPERM
      // before any local port is taken. The call goes on with the rewritten address.
      const hooked = ctx.sockAddr({ point: 'connect', task: task.snapshot(), cpu: task.cpu, type: s.type, address: e });
      if (!hooked.allowed) return err('EPERM');
      const to = hooked.address;
      s.local ??= { address: ctx.localAddress[to.family], port: ctx.ephemeralPort() };
      if (s.type !== SOCK_STREAM) {
        s.remote = { address: to.address, port: to.port };
        return 0;
      }
      // move_addr_to_kernel: tcp_v*_connect gets the kernel's copy of the address.
      const ksa = encodeSockaddr(to);
      const kaddr = task.memory.putScratch(ksa);
      const sk = sockAddr(ctx, task, req.fd, s);
      s.remote = { address: to.address, port: to.port };
      return trace.call(to.family === 4 ? 'tcp_v4_connect' : 'tcp_v6_connect', [sk, BigInt(kaddr), BigInt(ksa.length)], () => 0);
    })),
  )!;
}

export function sysAccept(ctx: SysContext, trace: EventTrace, req: { fd: number; peer?: string }): number {
  const task = trace.task;
  const addrBuf = task.memory.reserve(28);
  const lenBuf = task.memory.put(Uint8Array.of(28, 0, 0, 0));
  return syscallFrame(ctx, trace, 'accept', [BigInt(req.fd), BigInt(addrBuf), BigInt(lenBuf)], () =>
    Number(trace.call('__sys_accept4', [BigInt(req.fd), BigInt(addrBuf), BigInt(lenBuf), 0n], () => {
      const s = socketOf(task, req.fd);
      if (typeof s === 'number') return s;
      if (!s.listening) return err('EINVAL');
      if (task.fds.size >= 1024) return err('EMFILE');
      const peer = endpoint(req.peer ?? (s.family === AF_INET ? '10.0.0.2:40000' : '[fd00::2]:40000'));
      const fd = task.allocFd();
      const conn: SocketDesc = { kind: 'socket', family: s.family, type: s.type, listening: false, inbox: [], local: s.local ?? { address: ctx.localAddress[peer.family], port: 0 }, remote: { address: peer.address, port: peer.port } };
      task.fds.set(fd, conn);
      const listenSk = sockAddr(ctx, task, req.fd, s);
      const errPtr = BigInt(task.memory.scratchAddress);
      trace.call('inet_csk_accept', [listenSk, 0n, errPtr, 0n], () => sockAddr(ctx, task, fd, conn));
      const sa = encodeSockaddr(peer);
      task.memory.write(addrBuf, sa);
      task.memory.write(lenBuf, Uint8Array.of(sa.length, 0, 0, 0));
      return fd;
    })),
  )!;
}
