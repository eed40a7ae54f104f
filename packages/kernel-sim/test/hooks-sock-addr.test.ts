import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { Service } from '@nats-io/services';
import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { HelperId as H, SimSubjects, type SimProcListReply } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCompiler } from '../src/core/compile/in-process.js';
import { Kernel } from '../src/core/kernel.js';
import { LocalMapProvider } from '../src/core/maps/local-provider.js';
import { startKernelService } from '../src/service/kernel-service.js';
import { NatsVerifier } from '../src/service/nats-verifier.js';
import { ip4Word, portWord, serviceRewrite } from '../src/testing/sock-addr-programs.js';
import { fakeVerifierService } from './support/services.js';
import { wireCalls } from './support/wire.js';

/**
 * cgroup sock_addr verdicts over a real NATS server: a cgroup/connect4 program (bpf.v1.prog_load,
 * bpf.v1.link_create) rewrites a service address to a backend and refuses another address; a
 * task connects with bpf.v1.sim.proc.syscall. The reply's `ret`, a kprobe on tcp_v4_connect
 * (what the kernel connects to) and bpf.v1.sim.proc.list (the socket's peer) show the verdicts
 * applied, as Linux applies them.
 */
let nats: NatsTestServer;
let nc: NatsConnection;
let service: Service;
let directory: MapDirectory;

const { ok, load, link } = wireCalls(() => nc);
const syscall = async (pid: number, request: Record<string, unknown>): Promise<number | undefined> =>
  (await ok<{ ret?: number }>(SimSubjects.procSyscall, { pid, ...request })).ret;
const key32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const u64s = (bytes: Uint8Array): bigint[] => Array.from({ length: bytes.length / 8 }, (_, i) => new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(i * 8, true));

/** 10.96.0.10:80 → 10.0.0.2:8080; 10.0.0.99 refused (user_ip4 at 4, user_port at 24, network order). */
const CONNECT4 = serviceRewrite('10.96.0.10:80', '10.0.0.2:8080', '10.0.0.99');

/** kprobe/tcp_v4_connect: slot 0 = { sin_addr, sin_port, calls } of the sockaddr in si (its second argument). */
const tcpV4Connect = (map: number) => `
  r3 = *(u64 *)(r1 + 104)
  r1 = r10
  r1 += -16
  r2 = 16
  call ${H.probe_read_kernel}
  *(u32 *)(r10 - 20) = 0
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -20
  call ${H.map_lookup_elem}
  if r0 == 0 goto out
  r1 = *(u32 *)(r10 - 12)
  *(u64 *)(r0 + 0) = r1
  r1 = *(u16 *)(r10 - 14)
  *(u64 *)(r0 + 8) = r1
  r1 = 1
  lock *(u64 *)(r0 + 16) += r1
  out:
  r0 = 0
  exit`;

/** udp4_sendmsg: 10.96.0.10:53 → 10.0.0.53:5353 (a service address to its backend); 10.0.0.99 refused. */
const SENDMSG4 = serviceRewrite('10.96.0.10:53', '10.0.0.53:5353', '10.0.0.99');

/** udp4_recvmsg: a reply from 10.0.0.53:5353 seems to come from 10.96.0.10:53, the address the client sent to. */
const RECVMSG4 = `
  r2 = *(u32 *)(r1 + 4)
  r3 = *(u32 *)(r1 + 24)
  if r2 != ${ip4Word('10.0.0.53')} goto out
  if r3 != ${portWord(5353)} goto out
  r2 = ${ip4Word('10.96.0.10')}
  *(u32 *)(r1 + 4) = r2
  r2 = ${portWord(53)}
  *(u32 *)(r1 + 24) = r2
  out:
  r0 = 1
  exit`;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  fakeVerifierService(nc);
  const arena = new Arena();
  directory = new MapDirectory(arena, 2);
  const kernel = new Kernel({ maps: new LocalMapProvider(directory), verifier: new NatsVerifier(nc), compiler: new InProcessCompiler() }, { arena, cpus: 2 });
  service = await startKernelService(nc, { version: '0.1.0', kernel });
  await nc.flush();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await nc?.close();
  await nats?.stop();
});

describe('hooks over NATS - cgroup sock_addr verdicts', () => {
  it('sock_addr connect4 - the connect goes to the rewritten backend; a refused one fails with EPERM and connects nowhere', async () => {
    const seen = directory.create({ map_type: 'array', key_size: 4, value_size: 24, max_entries: 1 });
    const kprobe = await load('kprobe', tcpV4Connect(seen));
    await link({ prog_id: kprobe, attach_type: 'perf_event', target_name: 'tcp_v4_connect' });
    const prog = await load('cgroup_sock_addr', CONNECT4, { expected_attach_type: 'cgroup_inet4_connect' });
    await link({ prog_id: prog, attach_type: 'cgroup_inet4_connect', target_fd: 12 });
    await ok(SimSubjects.procSpawn, { pid: 460, comm: 'curl', cgroup_id: 12 });

    expect(await syscall(460, { syscall: 'socket' })).toBe(3);
    expect(await syscall(460, { syscall: 'connect', fd: 3, addr: '10.96.0.10:80' })).toBe(0);
    // tcp_v4_connect got 10.0.0.2 (bytes 10 0 0 2) and port 8080 (bytes 0x1f 0x90).
    expect(u64s(directory.lookup(seen, key32(0)))).toEqual([0x0200000an, 0x901fn, 1n]);

    expect(await syscall(460, { syscall: 'socket' })).toBe(4);
    expect(await syscall(460, { syscall: 'connect', fd: 4, addr: '10.0.0.99:443' })).toBe(-1); // -EPERM
    expect(u64s(directory.lookup(seen, key32(0)))[2]).toBe(1n);

    const { tasks } = await ok<SimProcListReply>(SimSubjects.procList, {});
    expect(tasks.find((t) => t.pid === 460)?.sockets).toEqual([
      { fd: 3, family: 'inet', type: 'stream', listening: false, local: '10.0.0.1:32769', remote: '10.0.0.2:8080' },
      { fd: 4, family: 'inet', type: 'stream', listening: false },
    ]);
  });
  it('sock_addr udp4 sendmsg/recvmsg - a datagram to a service address reaches the backend, the reply seems to come from the service; a refused one is EPERM', async () => {
    const send = await load('cgroup_sock_addr', SENDMSG4, { expected_attach_type: 'cgroup_udp4_sendmsg' });
    await link({ prog_id: send, attach_type: 'cgroup_udp4_sendmsg', target_fd: 14 });
    const recv = await load('cgroup_sock_addr', RECVMSG4, { expected_attach_type: 'cgroup_udp4_recvmsg' });
    await link({ prog_id: recv, attach_type: 'cgroup_udp4_recvmsg', target_fd: 14 });
    await ok(SimSubjects.procSpawn, { pid: 470, comm: 'dig', cgroup_id: 14 });
    await ok(SimSubjects.procSpawn, { pid: 471, comm: 'coredns', cgroup_id: 15 });
    expect(await syscall(471, { syscall: 'socket', type: 'dgram' })).toBe(3);
    expect(await syscall(471, { syscall: 'bind', fd: 3, addr: '10.0.0.53:5353' })).toBe(0);

    expect(await syscall(470, { syscall: 'socket', type: 'dgram' })).toBe(3);
    expect(await syscall(470, { syscall: 'sendto', fd: 3, data: 'A? example.com', addr: '10.0.0.99:53' })).toBe(-1); // -EPERM
    expect(await syscall(470, { syscall: 'sendto', fd: 3, data: 'A? example.com', addr: '10.96.0.10:53' })).toBe(14);
    // The backend got exactly one datagram, from the client; its own cgroup has no recvmsg program.
    const query = await ok<{ ret: number; addr?: string }>(SimSubjects.procSyscall, { pid: 471, syscall: 'recvfrom', fd: 3 });
    expect(query).toMatchObject({ ret: 14 });
    expect(await syscall(471, { syscall: 'recvfrom', fd: 3 })).toBe(-11); // -EAGAIN: the refused one never left
    expect(await syscall(471, { syscall: 'sendto', fd: 3, data: '93.184.216.34', addr: query.addr })).toBe(13);
    expect(await ok(SimSubjects.procSyscall, { pid: 470, syscall: 'recvfrom', fd: 3 })).toMatchObject({ ret: 13, addr: '10.96.0.10:53' });
  });
});
