import { describe, expect, it } from 'vitest';
import type { HookEvent, TracepointEvent } from '../events.js';
import type { SockAddrCall } from '../ports.js';
import { ArrayUserMemory } from './array-memory.js';
import { Processes } from './processes.js';
import { decodeSockaddr } from './sockaddr.js';
import { decodeField } from './trace-layout.js';
import { SYSCALL_ENTER } from './tracepoints.js';

const EPERM = -1;
const EAGAIN = -11;
const EPIPE = -32;
const EAFNOSUPPORT = -97;
const EDESTADDRREQ = -89;

/** A client (pid 100) and a DNS server (pid 200) with a UDP socket bound to 10.0.0.53:5353 (fd 3). */
function world() {
  const memory = new ArrayUserMemory();
  const procs = new Processes({ cpus: 2, memory });
  procs.spawn({ pid: 100, comm: 'dig', cgroupId: 7n });
  procs.spawn({ pid: 200, comm: 'dnsd', cgroupId: 9n });
  expect(procs.syscall(0, 200, { syscall: 'socket', type: 'dgram' }).ret).toBe(3);
  expect(procs.syscall(0, 200, { syscall: 'bind', fd: 3, addr: '10.0.0.53:5353' }).ret).toBe(0);
  return { memory, procs };
}

const tp = (events: readonly HookEvent[], name: string): TracepointEvent => events.find((e): e is TracepointEvent => e.kind === 'tracepoint' && e.name === name)!;

describe('proc syscalls - sendto and recvfrom', () => {
  it('a datagram to a bound UDP socket arrives from the autobound sender; recvfrom reports it and fills src_addr', () => {
    const { memory, procs } = world();
    expect(procs.syscall(1, 100, { syscall: 'socket', type: 'dgram' }).ret).toBe(3);
    const sent = procs.syscall(2, 100, { syscall: 'sendto', fd: 3, data: 'query', addr: '10.0.0.53:5353' });
    expect(sent.ret).toBe(5);
    const enter = tp(sent.events, 'sys_enter_sendto');
    expect(enter.category).toBe('syscalls');
    // sys_enter_sendto's dest_addr argument is the user's sockaddr.
    const addrPtr = decodeField(SYSCALL_ENTER.sendto, enter.record, 'addr');
    expect(decodeSockaddr(memory.read(Number(addrPtr), 16))).toEqual({ family: 4, address: '10.0.0.53', port: 5353 });
    const client = procs.tasks.get(100).fds.get(3)!;
    expect(client.kind === 'socket' && client.local).toEqual({ address: '10.0.0.1', port: 32769 });

    const got = procs.syscall(3, 200, { syscall: 'recvfrom', fd: 3, count: 3 });
    expect(got).toMatchObject({ ret: 3, addr: '10.0.0.1:32769' }); // truncated to the buffer
    expect(procs.syscall(4, 200, { syscall: 'recvfrom', fd: 3 }).ret).toBe(EAGAIN);
    // The reply goes back to the sender's address, and arrives from the server's.
    expect(procs.syscall(5, 200, { syscall: 'sendto', fd: 3, data: 'answer', addr: '10.0.0.1:32769' }).ret).toBe(6);
    expect(procs.syscall(6, 100, { syscall: 'recvfrom', fd: 3 })).toMatchObject({ ret: 6, addr: '10.0.0.53:5353' });
  });

  it('the errors of Linux: no peer, wrong family, not a socket; TCP ignores the address', () => {
    const { procs } = world();
    procs.syscall(1, 100, { syscall: 'socket', type: 'dgram' });
    expect(procs.syscall(2, 100, { syscall: 'sendto', fd: 3, data: 'x' }).ret).toBe(EDESTADDRREQ);
    expect(procs.syscall(2, 100, { syscall: 'write', fd: 3, data: 'x' }).ret).toBe(EDESTADDRREQ);
    expect(procs.syscall(3, 100, { syscall: 'sendto', fd: 3, data: 'x', addr: '[fd00::53]:53' }).ret).toBe(EAFNOSUPPORT);
    expect(procs.syscall(4, 100, { syscall: 'socket' }).ret).toBe(4);
    expect(procs.syscall(5, 100, { syscall: 'sendto', fd: 4, data: 'x', addr: '10.0.0.53:5353' }).ret).toBe(EPIPE);
    expect(procs.syscall(5, 100, { syscall: 'write', fd: 4, data: 'x' }).ret).toBe(EPIPE);
    expect(procs.syscall(6, 100, { syscall: 'connect', fd: 4, addr: '10.0.0.2:80' }).ret).toBe(0);
    expect(procs.syscall(7, 100, { syscall: 'sendto', fd: 4, data: 'xy', addr: '10.0.0.53:5353' }).ret).toBe(2);
    expect(procs.syscall(8, 100, { syscall: 'recvfrom', fd: 4 }).ret).toBe(0);
    procs.syscall(9, 100, { syscall: 'openat', path: '/etc/hosts' });
    expect(procs.syscall(10, 100, { syscall: 'sendto', fd: 5, data: 'x', addr: '10.0.0.53:5353' }).ret).toBe(-88); // ENOTSOCK
    expect(procs.syscall(11, 100, { syscall: 'recvfrom', fd: 9 }).ret).toBe(-9); // EBADF
  });

  it('a connected UDP socket sends to its peer with write and sendto without an address, and no sendmsg hook runs', () => {
    const { procs } = world();
    const calls: SockAddrCall[] = [];
    procs.sockAddrHook = { sockAddr: (call) => (calls.push(call), { allowed: true, address: call.address }) };
    procs.syscall(1, 100, { syscall: 'socket', type: 'dgram' });
    procs.syscall(2, 100, { syscall: 'connect', fd: 3, addr: '10.0.0.53:5353' });
    expect(procs.syscall(3, 100, { syscall: 'write', fd: 3, data: 'one' }).ret).toBe(3);
    expect(procs.syscall(4, 100, { syscall: 'sendto', fd: 3, data: 'two' }).ret).toBe(3);
    expect(calls.map((c) => c.point)).toEqual(['connect']);
    expect(procs.syscall(5, 200, { syscall: 'recvfrom', fd: 3 })).toMatchObject({ ret: 3, addr: '10.0.0.1:32769' });
    expect(procs.syscall(6, 200, { syscall: 'recvfrom', fd: 3 })).toMatchObject({ ret: 3 });
    // recvfrom on the server ran the recvmsg hook with each sender.
    expect(calls.map((c) => c.point)).toEqual(['connect', 'recvmsg', 'recvmsg']);
  });

  it('sendmsg: the hook sees destination and source and may rewrite both, or refuse with EPERM; recvmsg rewrites the sender user space sees', () => {
    const { procs } = world();
    const calls: SockAddrCall[] = [];
    procs.sockAddrHook = {
      sockAddr: (call) => {
        calls.push(call);
        if (call.point === 'sendmsg' && call.address.address === '10.0.0.99') return { allowed: false, address: call.address };
        if (call.point === 'sendmsg' && call.address.port === 53) return { allowed: true, address: { family: 4, address: '10.0.0.53', port: 5353 }, source: '10.0.0.7' };
        if (call.point === 'recvmsg' && call.address.port === 5353) return { allowed: true, address: { family: 4, address: '10.96.0.10', port: 53 } };
        return { allowed: true, address: call.address };
      },
    };
    procs.syscall(1, 100, { syscall: 'socket', type: 'dgram' });
    expect(procs.syscall(2, 100, { syscall: 'sendto', fd: 3, data: 'q', addr: '10.0.0.99:53' }).ret).toBe(EPERM);
    expect(procs.syscall(3, 100, { syscall: 'sendto', fd: 3, data: 'q', addr: '10.96.0.10:53' }).ret).toBe(1);
    expect(calls[1]).toMatchObject({ point: 'sendmsg', type: 2, address: { address: '10.96.0.10', port: 53 }, source: '0.0.0.0' });
    // The server got it from the source the program chose.
    expect(procs.syscall(4, 200, { syscall: 'recvfrom', fd: 3 })).toMatchObject({ ret: 1, addr: '10.0.0.7:32769' });
    procs.syscall(5, 200, { syscall: 'sendto', fd: 3, data: 'a', addr: '10.0.0.1:32769' });
    expect(procs.syscall(6, 100, { syscall: 'recvfrom', fd: 3 })).toMatchObject({ ret: 1, addr: '10.96.0.10:53' });
  });
});
