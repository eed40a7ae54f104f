import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { Service } from '@nats-io/services';
import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { HelperId as H, SimSubjects, Subjects, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCompiler } from '../src/core/compile/in-process.js';
import { Kernel } from '../src/core/kernel.js';
import { AttachFlags } from '../src/core/links/flags.js';
import { LocalMapProvider } from '../src/core/maps/local-provider.js';
import { startKernelService } from '../src/service/kernel-service.js';
import { NatsVerifier } from '../src/service/nats-verifier.js';
import { PcapWriter, buildFrame, pcapTimeOf } from '../src/world/index.js';
import { fakeVerifierService } from './support/services.js';
import { wireCalls } from './support/wire.js';
import { incrementKey } from '../src/testing/count-program.js';

/**
 * The network hooks over a real NATS server: programs loaded with bpf.v1.prog_load (the stand-in
 * verifier service accepts, the JIT compiles in process), attached with bpf.v1.link_create, driven
 * by frames injected, generated and replayed through bpf.v1.sim.>, observed through maps (in
 * process: the kernel's map directory), bpf.v1.sim.counters, the flow log and ring buffer messages.
 * Programs are written in assembly (examples/ holds the C of the same ideas).
 */
let nats: NatsTestServer;
let nc: NatsConnection;
let service: Service;
let directory: MapDirectory;

const { ok, fails, load, link } = wireCalls(() => nc);

/** Messages published on `subject`, collected. */
function collect(subject: string): { messages: Record<string, unknown>[]; stop: () => void } {
  const messages: Record<string, unknown>[] = [];
  const sub = nc.subscribe(subject, { callback: (_err, msg) => void messages.push(msg.json<Record<string, unknown>>()) });
  return { messages, stop: () => sub.unsubscribe() };
}

const u64At = (bytes: Uint8Array, at = 0): bigint => new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(at, true);
const key32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

interface DeviceReply {
  ifindex: number;
  stats: Record<string, number>;
  tc_ingress: { link_id: number; prog_id: number }[];
}

const device = (name: string): Promise<DeviceReply> => ok<DeviceReply>(SimSubjects.devInfo, { name });
const inject = (ifindex: number, frames: Uint8Array[], extra: Record<string, unknown> = {}) =>
  ok(SimSubjects.devInject(ifindex), { frames: frames.map((f) => toBase64(f)), ...extra });

/** A UDP frame from `src` to 10.0.0.1:`dport` (64 bytes). */
const udp = (src: string, dport = 53): Uint8Array =>
  buildFrame({ src: '02:00:00:00:01:01', dst: '02:00:00:00:00:02', ip: { src, dst: '10.0.0.1' }, l4: { proto: 'udp', sport: 40000, dport } });

/** XDP: count frames whose source is 10.9.9.9 in `map` (key: the source) and drop them; pass the rest. */
const dropBlocked = (map: number) => `
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 34
  if r4 > r3 goto pass
  r5 = *(u32 *)(r2 + 26)
  if r5 != 0x0909090a goto pass
  *(u32 *)(r10 - 4) = r5
  ${incrementKey(map, 'drop')}
  drop:
  r0 = 1
  exit
  pass:
  r0 = 2
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
  await ok(SimSubjects.devCreate, { name: 'eth0', queues: 2, addresses: ['10.0.0.1/24'] });
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await nc?.close();
  await nats?.stop();
});

describe('hooks over NATS - XDP', () => {
  it('hooks xdp - a DDoS dropper counts and drops a blocked source, passes the rest, logs every verdict; detached, it stops', async () => {
    const blocked = directory.create({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 64, map_name: 'blocked' });
    const eth0 = await device('eth0');
    const prog = await load('xdp', dropBlocked(blocked), { prog_name: 'ddos_drop' });
    const id = await link({ prog_id: prog, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    expect(await ok(Subjects.link(id, 'info'), {})).toMatchObject({ id, type_name: 'xdp', prog_id: prog, xdp: { ifindex: eth0.ifindex, mode: 'drv' }, detached: false });
    expect((await device('eth0')) as unknown).toMatchObject({ xdp: { link_id: id, prog_id: prog, mode: 'drv' } });

    const log = collect(SimSubjects.flowlog);
    expect(await inject(eth0.ifindex, [udp('10.9.9.9'), udp('10.0.0.7'), udp('10.9.9.9')])).toEqual({ injected: 3 });
    await nc.flush();
    await expect.poll(() => log.messages.length).toBe(3);
    log.stop();
    expect(log.messages.map((m) => m.action).sort()).toEqual(['XDP_DROP', 'XDP_DROP', 'XDP_PASS']);
    expect(log.messages.find((m) => m.action === 'XDP_PASS')).toMatchObject({ hook: 'xdp', prog_id: prog, ifindex: eth0.ifindex, tuple: { proto: 17, src: '10.0.0.7', dst: '10.0.0.1', dport: 53 } });
    expect(u64At(directory.lookup(blocked, key32(0x0909090a)))).toBe(2n);
    expect((await device('eth0')).stats).toMatchObject({ xdp_drop: 2, xdp_pass: 1, rx_dropped: 2, rx_packets: 1 });

    const counters = await ok<{ hooks: { hook: string; target: string; runs: number; actions: Record<string, number> }[] }>(SimSubjects.counters, {});
    expect(counters.hooks.find((c) => c.hook === 'xdp' && c.target === `ifindex ${eth0.ifindex}`)).toMatchObject({ runs: 3, actions: { XDP_DROP: 2, XDP_PASS: 1 } });

    expect(await ok(Subjects.link(id, 'detach'), {})).toEqual({});
    await inject(eth0.ifindex, [udp('10.9.9.9')]);
    expect((await device('eth0')).stats).toMatchObject({ xdp_drop: 2, rx_packets: 2 });
    expect(await ok(Subjects.link(id, 'info'), {})).toMatchObject({ detached: true, xdp: { ifindex: 0 } });
    await ok(Subjects.link(id, 'close'), {});
    expect(await fails(Subjects.link(id, 'info'), {})).toBe('ENOENT');
  });

  it('hooks xdp - link_create checks as Linux: EBADF for no program, EINVAL for no device, EBUSY for a second link', async () => {
    const eth0 = await device('eth0');
    const prog = await load('xdp', 'r0 = 2\nexit');
    expect(await fails(Subjects.linkCreate, { prog_id: 4242, attach_type: 'xdp', target_ifindex: eth0.ifindex })).toBe('EBADF');
    expect(await fails(Subjects.linkCreate, { prog_id: prog, attach_type: 'xdp', target_ifindex: 999 })).toBe('EINVAL');
    const id = await link({ prog_id: prog, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    expect(await fails(Subjects.linkCreate, { prog_id: prog, attach_type: 'xdp', target_ifindex: eth0.ifindex })).toBe('EBUSY');
    expect(await fails(Subjects.linkCreate, { prog_id: prog, attach_type: 'xdp', colour: 'red' })).toBe('EINVAL');
    expect(await fails(Subjects.link(id, 'update'), { new_prog_id: prog, flags: AttachFlags.REPLACE, old_prog_id: prog + 1000 })).toBe('EBADF');
    expect((await ok<{ next_id: number }>(Subjects.getNextId('link'), { start_id: 0 })).next_id).toBeGreaterThan(0);
    await ok(Subjects.link(id, 'close'), {});
  });

  it('hooks xdp - the traffic generator and a pcap replay drive the XDP program; each waits till done', async () => {
    const counts = directory.create({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    const prog = await load('xdp', `
      *(u32 *)(r10 - 4) = 0
      ld_pseudo r1, 1, ${counts}
      r2 = r10
      r2 += -4
      call ${H.map_lookup_elem}
      if r0 == 0 goto out
      r1 = 1
      lock *(u64 *)(r0 + 0) += r1
      out:
      r0 = 1
      exit`);
    const eth0 = await device('eth0');
    const id = await link({ prog_id: prog, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    const traffic = await ok(SimSubjects.trafficStart, {
      device: 'eth0', rate: 100_000, count: 40, flows: { count: 4, src: '192.0.2.0/24', dst: '10.0.0.1', dport: [53, 123] }, mix: { udp: 1 }, realtime: false, wait: true,
    });
    expect(traffic).toMatchObject({ kind: 'traffic', device: 'eth0', sent: 40, total: 40, running: false, verdicts: { xdp_drop: 40, xdp_pass: 0 } });
    const pcap = new PcapWriter();
    for (let i = 0; i < 5; i++) pcap.add(pcapTimeOf(i * 1000), udp(`192.0.2.${i}`));
    const replay = await ok(SimSubjects.pcapReplay, { device: eth0.ifindex, file: toBase64(pcap.bytes()), rate: 1e6, loops: 2, realtime: false, wait: true });
    expect(replay).toMatchObject({ kind: 'pcap', sent: 10, total: 10, running: false, verdicts: { xdp_drop: 10, xdp_pass: 0, xdp_tx: 0 } });
    expect(u64At(directory.lookup(counts, key32(0)))).toBe(50n);
    expect(((await ok<{ sources: unknown[] }>(SimSubjects.trafficStatus, {})).sources)).toHaveLength(2);
    expect(await fails(SimSubjects.pcapReplay, { device: 'eth0', file: toBase64(new Uint8Array(8)), realtime: false })).toBe('EINVAL');
    await ok(Subjects.link(id, 'close'), {});
  });

  it('hooks xdp - records a program submits to a ring buffer are published on bpf.v1.map.<id>.ringbuf', async () => {
    const ring = directory.create({ map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 });
    // Record the frame's length (data_end - data) as a u64, then pass.
    const prog = await load('xdp', `
      r2 = *(u32 *)(r1 + 0)
      r3 = *(u32 *)(r1 + 4)
      r3 -= r2
      *(u64 *)(r10 - 8) = r3
      ld_pseudo r1, 1, ${ring}
      r2 = r10
      r2 += -8
      r3 = 8
      r4 = 0
      call ${H.ringbuf_output}
      r0 = 2
      exit`);
    const eth0 = await device('eth0');
    const id = await link({ prog_id: prog, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    const records = collect(SimSubjects.ringbuf(ring));
    const big = buildFrame({ src: '02:00:00:00:01:01', dst: '02:00:00:00:00:02', ip: { src: '10.0.0.9', dst: '10.0.0.1' }, l4: { proto: 'udp', sport: 1, dport: 2 }, payload: new Uint8Array(100) });
    await inject(eth0.ifindex, [udp('10.0.0.8'), big]);
    await nc.flush();
    await expect.poll(() => records.messages.length).toBe(2);
    records.stop();
    expect(records.messages.map((m) => u64At(Buffer.from(m.data as string, 'base64')))).toEqual([60n, BigInt(big.length)]);
    await ok(Subjects.link(id, 'close'), {});
  });
});

describe('hooks over NATS - TCX and cgroup skb', () => {
  it('hooks tcx - programs run in order: the first says next, the second shoots; updated, the second passes', async () => {
    const eth0 = await device('eth0');
    const next = await load('sched_cls', 'r0 = -1\nexit');
    const shoot = await load('sched_cls', 'r0 = 2\nexit');
    const pass = await load('sched_cls', 'r0 = 0\nexit');
    const second = await link({ prog_id: shoot, attach_type: 'tcx_ingress', target_ifindex: eth0.ifindex });
    const first = await link({ prog_id: next, attach_type: 'tcx_ingress', target_ifindex: eth0.ifindex, flags: AttachFlags.BEFORE });
    expect((await device('eth0')).tc_ingress).toEqual([{ link_id: first, prog_id: next }, { link_id: second, prog_id: shoot }]);
    const before = (await device('eth0')).stats;
    const log = collect(SimSubjects.flowlog);
    await inject(eth0.ifindex, [udp('10.0.0.5')]);
    await nc.flush();
    await expect.poll(() => log.messages.length).toBe(1);
    expect(log.messages[0]).toMatchObject({ hook: 'tc_ingress', prog_id: shoot, action: 'TC_ACT_SHOT' });
    expect((await device('eth0')).stats.rx_dropped).toBe(before.rx_dropped! + 1);
    await ok(Subjects.link(second, 'update'), { new_prog_id: pass, flags: AttachFlags.REPLACE, old_prog_id: shoot });
    await inject(eth0.ifindex, [udp('10.0.0.5')]);
    await nc.flush();
    await expect.poll(() => log.messages.length).toBe(2);
    expect(log.messages[1]).toMatchObject({ prog_id: pass, action: 'TC_ACT_OK' });
    expect((await device('eth0')).stats.rx_packets).toBe(before.rx_packets! + 1);
    for (const id of [first, second]) await ok(Subjects.link(id, 'detach'), {});
    await inject(eth0.ifindex, [udp('10.0.0.5')]);
    await nc.flush();
    expect(log.messages).toHaveLength(2);
    expect((await device('eth0')).stats.rx_packets).toBe(before.rx_packets! + 2);
    log.stop();
  });

  it('hooks cgroup skb - ingress to the socket of a task in cgroup 42 is denied; egress from it is counted and allowed', async () => {
    const eth0 = await device('eth0');
    await ok(SimSubjects.procSpawn, { pid: 300, comm: 'dnsd', cgroup_id: 42 });
    await ok(SimSubjects.procSyscall, { pid: 300, syscall: 'socket', type: 'dgram' });
    expect(await ok(SimSubjects.procSyscall, { pid: 300, syscall: 'bind', fd: 3, addr: '0.0.0.0:5353' })).toMatchObject({ ret: 0 });
    const deny = await load('cgroup_skb', 'r0 = 0\nexit');
    const allow = await load('cgroup_skb', 'r0 = 1\nexit', { expected_attach_type: 'cgroup_inet_egress' });
    const ingress = await link({ prog_id: deny, attach_type: 'cgroup_inet_ingress', target_fd: 42 });
    const egress = await link({ prog_id: allow, attach_type: 'cgroup_inet_egress', target_fd: 42 });
    const before = await ok<{ sockets: { by_port: Record<string, number> } }>(SimSubjects.counters, {});
    const log = collect(SimSubjects.flowlog);
    await inject(eth0.ifindex, [udp('10.0.0.5', 5353), udp('10.0.0.5', 9999)]);
    await nc.flush();
    await expect.poll(() => log.messages.some((m) => m.hook === 'cgroup_skb_ingress')).toBe(true);
    log.stop();
    expect(log.messages.find((m) => m.hook === 'cgroup_skb_ingress')).toMatchObject({ action: 'DENY', prog_id: deny, tuple: { dport: 5353 } });
    const after = await ok<{ sockets: { by_port: Record<string, number> }; hooks: { hook: string; actions: Record<string, number> }[] }>(SimSubjects.counters, {});
    expect(after.sockets.by_port['udp/5353'] ?? 0).toBe(before.sockets.by_port['udp/5353'] ?? 0);
    expect(after.sockets.by_port['udp/9999']).toBe((before.sockets.by_port['udp/9999'] ?? 0) + 1);

    const txBefore = (await device('eth0')).stats.tx_packets!;
    await inject(eth0.ifindex, [udp('10.0.0.1', 53)], { egress: true, pid: 300 });
    expect((await device('eth0')).stats.tx_packets).toBe(txBefore + 1);
    expect(after.hooks.find((h) => h.hook === 'cgroup_skb_ingress')).toMatchObject({ actions: { DENY: 1 } });
    const counters = await ok<{ hooks: { hook: string; actions: Record<string, number> }[] }>(SimSubjects.counters, {});
    expect(counters.hooks.find((h) => h.hook === 'cgroup_skb_egress')).toMatchObject({ actions: { ALLOW: 1 } });
    for (const id of [ingress, egress]) await ok(Subjects.link(id, 'detach'), {});
    await inject(eth0.ifindex, [udp('10.0.0.5', 5353)]);
    const detached = await ok<{ sockets: { by_port: Record<string, number> } }>(SimSubjects.counters, {});
    expect(detached.sockets.by_port['udp/5353']).toBe((before.sockets.by_port['udp/5353'] ?? 0) + 1);
  });
});

describe('hooks over NATS - the world', () => {
  it('hooks world - devices come and go as ip link makes them; bad requests are errno replies', async () => {
    const made = await ok<{ devices: DeviceReply[] }>(SimSubjects.devCreate, { name: 'veth0', kind: 'veth', peer: { name: 'veth1' } });
    expect(made.devices.map((d) => (d as unknown as { name: string }).name)).toEqual(['veth0', 'veth1']);
    expect(await fails(SimSubjects.devCreate, { name: 'veth0' })).toBe('EEXIST');
    expect(await fails(SimSubjects.devCreate, { name: 'bad name' })).toBe('EINVAL');
    expect(await fails(SimSubjects.devInfo, {})).toBe('EINVAL');
    expect(await fails(SimSubjects.devInject(999), { frames: [toBase64(udp('10.0.0.1'))] })).toBe('ENODEV');
    expect(await fails(SimSubjects.procSyscall, { pid: 1, syscall: 'openat' })).toBe('EINVAL');
    expect(await ok(SimSubjects.devDelete, { name: 'veth1' })).toEqual({ deleted: [made.devices[1]!.ifindex, made.devices[0]!.ifindex] });
  });

  it('hooks world - a scenario replaces the machine and runs its traffic through the links on its devices', async () => {
    const prog = await load('xdp', 'r0 = 1\nexit');
    const yaml = `
name: tiny
cpus: 2
devices:
  - { name: wan0, queues: 2, addresses: [10.1.0.1/24] }
traffic:
  - { device: wan0, rate: 10000, count: 20, flows: { count: 4, src: 198.51.100.0/24, dst: 10.1.0.1, dport: 80 }, mix: { udp: 1 } }
`;
    // wan0 is the scenario's first device: ifindex 2, where eth0 was.
    const id = await link({ prog_id: prog, attach_type: 'xdp', target_ifindex: 2 });
    const run = await ok<{ packets: number; devices: { name: string; stats: Record<string, number> }[] }>(SimSubjects.scenarioRun, { yaml });
    expect(run.packets).toBe(20);
    expect(run.devices.find((d) => d.name === 'wan0')!.stats).toMatchObject({ xdp_drop: 20 });
    expect(await fails(SimSubjects.scenarioRun, { yaml: 'name: [' })).toBe('EINVAL');
    await ok(Subjects.link(id, 'close'), {});
  });
});
