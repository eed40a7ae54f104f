import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, type Subscription, connect, headers } from '@nats-io/transport-node';
import type { Service } from '@nats-io/services';
import { Arena } from '@bpfhive/maps-store';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { HelperId as H, type PerfRecordMessage, SESSION_HEADER, SimSubjects, Subjects, fromBase64, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCompiler } from '../src/core/compile/in-process.js';
import { Kernel } from '../src/core/kernel.js';
import { LeasedMapProvider } from '../src/core/maps/leased-provider.js';
import { MAX_SAMPLES_PER_CATCH_UP } from '../src/core/hooks/perf-sampling.js';
import { PerfEvents } from '../src/core/perf/perf-events.js';
import { StatsSwitch } from '../src/core/run/stats.js';
import { startKernelService } from '../src/service/kernel-service.js';
import { NatsMapLeases } from '../src/service/nats-map-leases.js';
import { NatsVerifier } from '../src/service/nats-verifier.js';
import { natsPerfSink } from '../src/service/perf-outputs.js';
import { buildFrame } from '../src/world/index.js';
import { fakeVerifierService, startProcess } from './support/services.js';
import { wireCalls } from './support/wire.js';
import { incrementKey } from '../src/testing/count-program.js';

/**
 * Perf buffers over a real NATS server, wired as main.ts wires them: the maps-store as its own
 * process, the kernel-sim service here with the lease provider whose PERF_EVENT_ARRAYs reach the
 * kernel's PerfEvents, a stand-in verifier. User space opens one BPF output event per CPU
 * (bpf.v1.perf_event_open), puts the ids in the slots, and reads bpf.v1.map.<id>.perf; also
 * BPF_ENABLE_STATS (bpf.v1.enable_stats) turning run statistics on and off.
 */
const MAPS_STORE_MAIN = fileURLToPath(new URL('../../maps-store/dist/main.js', import.meta.url));

let nats: NatsTestServer;
let nc: NatsConnection;
let mapsStore: ChildProcess;
let dataDir: string;
let provider: LeasedMapProvider;
let service: Service;
let stats: StatsSwitch;

const { call, ok, fails, load, link } = wireCalls(() => nc);
const u32 = (n: number): string => toBase64(new Uint8Array(new Uint32Array([n]).buffer));

/** The next `count` messages on `sub` (fails the test after a generous timeout instead of hanging). */
async function take(sub: Subscription, count: number): Promise<PerfRecordMessage[]> {
  const out: PerfRecordMessage[] = [];
  const timer = setTimeout(() => sub.unsubscribe(), 30_000);
  for await (const msg of sub) {
    out.push(msg.json<PerfRecordMessage>());
    if (out.length === count) break;
  }
  clearTimeout(timer);
  return out;
}

/** A PERF_EVENT_ARRAY with a slot per CPU. */
async function perfArray(): Promise<{ map: number }> {
  const { map_id: map } = await ok<{ map_id: number }>(Subjects.mapCreate, { map_type: 'perf_event_array', key_size: 4, value_size: 4, max_entries: 2 });
  return { map };
}

/** A BPF output event per CPU in the slots, as libbpf's perf_buffer__new sets them up (after the program that uses the map loaded). */
async function fillSlots(map: number): Promise<number[]> {
  const events: number[] = [];
  for (const cpu of [0, 1]) {
    const { perf_event_id } = await ok<{ perf_event_id: number }>(Subjects.perfEventOpen, { cpu });
    await ok(Subjects.map(map, 'update_elem'), { key: u32(cpu), value: u32(perf_event_id), flags: 0 });
    events.push(perf_event_id);
  }
  return events;
}

/** Outputs the 8 bytes at the context's start (raw_tracepoint args[0]) with `flags`, returning the helper's result. */
const rawTpOutput = (map: number, flags: string) => `
  r4 = r1
  ld_pseudo r2, 1, ${map}
  r3 = ${flags}
  r5 = 8
  call ${H.perf_event_output}
  exit`;

/** XDP: outputs "abcd" and the frame's first 6 bytes (its destination MAC) to this CPU's slot, then passes the frame. */
const xdpOutput = (map: number) => `
  r2 = 0x64636261
  *(u32 *)(r10 - 4) = r2
  ld_pseudo r2, 1, ${map}
  r3 = 0x6ffffffff ll
  r4 = r10
  r4 += -4
  r5 = 4
  call ${H.perf_event_output}
  r0 = 2
  exit`;

beforeAll(async () => {
  nats = await startNatsServer();
  dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-perf-test-'));
  mapsStore = await startProcess(MAPS_STORE_MAIN, { NATS_URL: nats.url, MAPS_STORE_CPUS: '2', MAPS_STORE_DATA: dataDir }, /serving/);
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  fakeVerifierService(nc);
  const arena = new Arena();
  const perfEvents = new PerfEvents(2, natsPerfSink(nc));
  provider = new LeasedMapProvider(new NatsMapLeases(nc, 'kernel-sim-perf-test'), arena, 2, () => {}, (id) => ({ perfEvents: perfEvents.portFor(id) }));
  stats = new StatsSwitch();
  const kernel = new Kernel({ maps: provider, verifier: new NatsVerifier(nc), compiler: new InProcessCompiler() }, { arena, cpus: 2, stats });
  service = await startKernelService(nc, { version: '0.1.0', kernel, perfEvents });
  await nc.flush();
  await ok(SimSubjects.devCreate, { name: 'eth0', queues: 1, addresses: ['10.0.0.1/24'] });
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await provider?.close();
  if (mapsStore?.exitCode === null) mapsStore.kill('SIGTERM');
  await nc?.close();
  await nats?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('perf buffers over NATS', () => {
  it('perf - bpf_perf_event_output with BPF_F_CURRENT_CPU publishes the sample with the CPU it ran on', async () => {
    const { map } = await perfArray();
    const prog = await load('raw_tracepoint', rawTpOutput(map, '0xffffffff ll'));
    await fillSlots(map);
    const sub = nc.subscribe(SimSubjects.perf(map));
    await nc.flush();
    const args = (n: number) => toBase64(new Uint8Array(new BigUint64Array([BigInt(n)]).buffer));
    expect(await ok(Subjects.prog(prog, 'test_run'), { ctx_in: args(0x1122), flags: 1, cpu: 1 })).toMatchObject({ retval: 0 });
    expect(await ok(Subjects.prog(prog, 'test_run'), { ctx_in: args(0x3344) })).toMatchObject({ retval: 0 });
    const records = await take(sub, 2);
    expect(records.map((r) => ({ cpu: r.cpu, data: [...fromBase64(r.data!, 'data')] }))).toEqual([
      { cpu: 1, data: [0x22, 0x11, 0, 0, 0, 0, 0, 0] },
      { cpu: 0, data: [0x44, 0x33, 0, 0, 0, 0, 0, 0] },
    ]);
    await ok(Subjects.prog(prog, 'close'), {});
  });

  it('perf - an XDP program on a device appends packet bytes (BPF_F_CTXLEN_MASK) to records published per batch', async () => {
    const { map } = await perfArray();
    const prog = await load('xdp', xdpOutput(map));
    await fillSlots(map);
    const { ifindex } = await ok<{ ifindex: number }>(SimSubjects.devInfo, { name: 'eth0' });
    const linkId = await link({ prog_id: prog, attach_type: 'xdp', target_ifindex: ifindex });
    const sub = nc.subscribe(SimSubjects.perf(map));
    await nc.flush();
    const frame = buildFrame({ src: '02:00:00:00:01:01', dst: '02:00:00:00:00:02', ip: { src: '10.0.0.9', dst: '10.0.0.1' }, l4: { proto: 'udp', sport: 1, dport: 2 } });
    await ok(SimSubjects.devInject(ifindex), { frames: [toBase64(frame), toBase64(frame), toBase64(frame)] });
    const records = await take(sub, 3);
    for (const r of records) {
      expect(r.cpu).toBe(0);
      expect([...fromBase64(r.data!, 'data')]).toEqual([0x61, 0x62, 0x63, 0x64, 2, 0, 0, 0, 0, 2]);
    }
    await ok(Subjects.link(linkId, 'close'), {});
    await ok(Subjects.prog(prog, 'close'), {});
  });

  it('perf - a tc ingress program appends skb bytes (bpf_skb_event_output): the reader gets the sample, then the frame\'s first bytes', async () => {
    const { map } = await perfArray();
    // "abcd", then the frame's first 14 bytes (its Ethernet header: tc's skb->data is the MAC header), then TC_ACT_OK.
    const prog = await load('sched_cls', xdpOutput(map).replace('0x6ffffffff ll', '0xeffffffff ll').replace('r0 = 2', 'r0 = 0'));
    await fillSlots(map);
    const { ifindex } = await ok<{ ifindex: number }>(SimSubjects.devInfo, { name: 'eth0' });
    const linkId = await link({ prog_id: prog, attach_type: 'tcx_ingress', target_ifindex: ifindex });
    const sub = nc.subscribe(SimSubjects.perf(map));
    await nc.flush();
    const frame = buildFrame({ src: '02:00:00:00:01:01', dst: '02:00:00:00:00:02', ip: { src: '10.0.0.9', dst: '10.0.0.1' }, l4: { proto: 'udp', sport: 1, dport: 2 } });
    await ok(SimSubjects.devInject(ifindex), { frames: [toBase64(frame), toBase64(frame)] });
    const records = await take(sub, 2);
    for (const r of records) {
      expect([...fromBase64(r.data!, 'data')]).toEqual([0x61, 0x62, 0x63, 0x64, 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 1, 1, 0x08, 0x00]);
    }
    await ok(Subjects.link(linkId, 'close'), {});
    await ok(Subjects.prog(prog, 'close'), {});
  });

  it('perf - bad flags, slots past the end and empty slots are the helper errors Linux returns', async () => {
    const { map } = await perfArray();
    const retval = async (flags: string): Promise<unknown> => {
      const prog = await load('raw_tracepoint', rawTpOutput(map, flags));
      const reply = await ok<{ retval: number }>(Subjects.prog(prog, 'test_run'), { ctx_in: toBase64(new Uint8Array(8)) });
      await ok(Subjects.prog(prog, 'close'), {});
      return reply.retval;
    };
    expect(await retval('0')).toBe(0xfffffffe); // -ENOENT: nobody opened an event for slot 0
    expect(await retval('2')).toBe(0xfffffff9); // -E2BIG
    expect(await retval('0x100000000 ll')).toBe(0xffffffea); // -EINVAL
  });

  it('perf - perf_event_open and close follow perf_event_open(2) and close(2); a slot takes only a live event', async () => {
    expect(await fails(Subjects.perfEventOpen, { cpu: 2 })).toBe('EINVAL');
    expect(await fails(Subjects.perfEventOpen, { cpu: 0, type: 0, config: 0 })).toBe('EOPNOTSUPP');
    expect(await fails(Subjects.perfEventOpen, { cpu: 0, page_cnt: 3 })).toBe('EINVAL');
    const { perf_event_id: id } = await ok<{ perf_event_id: number }>(Subjects.perfEventOpen, { cpu: 0, page_cnt: 2 });
    expect(await ok(Subjects.perfEvent(id, 'close'), {})).toEqual({});
    expect(await fails(Subjects.perfEvent(id, 'close'), {})).toBe('ENOENT');
    // A map the kernel holds checks the id as the kernel checks an fd.
    const { map } = await perfArray();
    const prog = await load('raw_tracepoint', rawTpOutput(map, '0'));
    expect(await fails(Subjects.map(map, 'update_elem'), { key: u32(0), value: u32(id), flags: 0 })).toBe('EBADF');
    await ok(Subjects.prog(prog, 'close'), {});
  });

  it('perf - enable_stats turns run_cnt on while its handle is held', async () => {
    const prog = await load('raw_tracepoint', 'r0 = 0\nexit');
    const run = () => ok(Subjects.prog(prog, 'test_run'), { ctx_in: toBase64(new Uint8Array(8)) });
    const runCount = async () => (await ok<{ run_cnt: number }>(Subjects.prog(prog, 'info'), {})).run_cnt;
    await run();
    expect(await runCount()).toBe(0);
    expect(await fails(Subjects.enableStats, { type: 7 })).toBe('EINVAL');
    const { stats_id } = await ok<{ stats_id: number }>(Subjects.enableStats, { type: 'run_time' });
    expect(stats.enabled).toBe(true);
    await run();
    await run();
    expect(await runCount()).toBe(2);
    expect(await ok(Subjects.stats(stats_id, 'close'), {})).toEqual({});
    expect((await call(Subjects.stats(stats_id, 'close'), {})).error).toBe('9'); // EBADF
    await run();
    expect(await runCount()).toBe(2);
    await ok(Subjects.prog(prog, 'close'), {});
  });

  it('perf - a session holds perf events and stats handles: its end closes them', async () => {
    const { session_id } = await ok<{ session_id: string }>(Subjects.sessionOpen, {});
    const h = headers();
    h.set(SESSION_HEADER, session_id);
    const inSession = async (subject: string, body: unknown) => (await nc.request(subject, JSON.stringify(body), { timeout: 10_000, headers: h })).json<Record<string, number>>();
    const { perf_event_id } = (await inSession(Subjects.perfEventOpen, { cpu: 0 })) as { perf_event_id: number };
    await inSession(Subjects.enableStats, { type: 0 });
    expect(stats.enabled).toBe(true);
    await ok(Subjects.session(session_id, 'close'), {});
    expect(stats.enabled).toBe(false);
    expect(await fails(Subjects.perfEvent(perf_event_id, 'close'), {})).toBe('ENOENT');
  });
});

/** profile: counts[pid]++ for each sample (BCC's profile, keyed by pid), and slot 0 of `last` = { sample_period, regs.cs, user stack id }. */
const profile = (counts: number, last: number, stacks: number) => `
  r6 = r1
  call ${H.get_current_pid_tgid}
  *(u32 *)(r10 - 4) = r0
  ${incrementKey(counts, 'record')}
  record:
  *(u32 *)(r10 - 4) = 0
  ld_pseudo r1, 1, ${last}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto out
  r7 = r0
  r1 = *(u64 *)(r6 + 168)
  *(u64 *)(r7 + 0) = r1
  r1 = *(u64 *)(r6 + 136)
  *(u64 *)(r7 + 8) = r1
  r1 = r6
  ld_pseudo r2, 1, ${stacks}
  r3 = 256
  call ${H.get_stackid}
  *(u64 *)(r7 + 16) = r0
  out:
  r0 = 0
  exit`;

describe('sampling perf events over NATS', () => {
  it('perf sampling - a PERF_EVENT program on a 1 kHz cpu-clock event runs once a millisecond of virtual time, on whatever runs on its CPU', async () => {
    const { map_id: counts } = await ok<{ map_id: number }>(Subjects.mapCreate, { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 64 });
    const { map_id: last } = await ok<{ map_id: number }>(Subjects.mapCreate, { map_type: 'array', key_size: 4, value_size: 24, max_entries: 1 });
    const { map_id: stacks } = await ok<{ map_id: number }>(Subjects.mapCreate, { map_type: 'stack_trace', key_size: 4, value_size: 64, max_entries: 16 });
    const prog = await load('perf_event', profile(counts, last, stacks));
    // Two CPUs: sample CPU 1, where the task below runs (pid 601 % 2).
    const { perf_event_id: event } = await ok<{ perf_event_id: number }>(Subjects.perfEventOpen, { cpu: 1, type: 1, config: 0, freq: true, sample_freq: 1000 });
    const id = await link({ prog_id: prog, attach_type: 'perf_event', target_fd: event });
    expect(await ok(Subjects.link(id, 'info'), {})).toMatchObject({ type_name: 'perf_event', perf_event: { type: 6, event: { type: 1, config: 0 } } });
    const count = async (pid: number): Promise<bigint> => {
      const { error, body } = await call(Subjects.map(counts, 'lookup_elem'), { key: u32(pid) });
      return error ? 0n : new DataView(fromBase64(String(body.value), 'value').buffer).getBigUint64(0, true);
    };
    // Idle: 5 ms → 5 samples of the idle task (pid 0), in kernel mode.
    expect(await ok(SimSubjects.timeAdvance, { by: 5e6 })).toMatchObject({ now: expect.any(Number) });
    expect([await count(0), await count(601)]).toEqual([5n, 0n]);
    const lastOf = async () => {
      const reply = await ok<{ value: string }>(Subjects.map(last, 'lookup_elem'), { key: u32(0) });
      const view = new DataView(fromBase64(reply.value, 'value').buffer);
      return [view.getBigUint64(0, true), view.getBigUint64(8, true), view.getBigInt64(16, true)];
    };
    expect((await lastOf()).slice(0, 2)).toEqual([1000000n, 0x10n]); // sample_period 1 ms; kernel cs
    expect((await lastOf())[2]).toBe(-14n); // -EFAULT: an idle CPU has no user stack
    // A task takes CPU 1 with a system call; the next 5 ms of samples are its, in user mode.
    await ok(SimSubjects.procSpawn, { pid: 601, comm: 'busy' });
    await ok(SimSubjects.procSyscall, { pid: 601, syscall: 'openat', path: '/etc/hosts' });
    await ok(SimSubjects.timeAdvance, { by: 5e6 });
    expect([await count(0), await count(601)]).toEqual([5n, 5n]);
    const [period, cs, stackId] = await lastOf();
    expect([period, cs]).toEqual([1000000n, 0x33n]);
    const trace = await ok<{ value: string }>(Subjects.map(stacks, 'lookup_elem'), { key: u32(Number(stackId)) });
    expect(new DataView(fromBase64(trace.value, 'value').buffer).getBigUint64(0, true)).toBe(0x555555555189n);
    // One program per event; a BPF output event does not sample; no such event.
    const other = await load('perf_event', profile(counts, last, stacks));
    expect(await fails(Subjects.linkCreate, { prog_id: other, attach_type: 'perf_event', target_fd: event })).toBe('EEXIST');
    const { perf_event_id: output } = await ok<{ perf_event_id: number }>(Subjects.perfEventOpen, { cpu: 0 });
    expect(await fails(Subjects.linkCreate, { prog_id: other, attach_type: 'perf_event', target_fd: output })).toBe('EINVAL');
    expect(await fails(Subjects.linkCreate, { prog_id: other, attach_type: 'perf_event', target_fd: 9999 })).toBe('EBADF');
    // Closing the event's handle leaves it to the link (Linux's link holds the event's file); closing the link stops the samples.
    await ok(Subjects.perfEvent(event, 'close'), {});
    await ok(SimSubjects.timeAdvance, { by: 2e6 });
    expect(await count(601)).toBe(7n);
    await ok(Subjects.link(id, 'close'), {});
    await ok(SimSubjects.timeAdvance, { by: 2e6 });
    expect(await count(601)).toBe(7n);
  });

  it('perf sampling - perf_event_open checks the sampling attributes as Linux does', async () => {
    expect(await fails(Subjects.perfEventOpen, { cpu: 0, config: 0 })).toBe('EINVAL');
    expect(await fails(Subjects.perfEventOpen, { cpu: 0, config: 0, freq: true, sample_freq: 100001 })).toBe('EINVAL');
    expect(await fails(Subjects.perfEventOpen, { cpu: 0, config: 0, sample_freq: 99 })).toBe('EINVAL');
    expect(await fails(Subjects.perfEventOpen, { cpu: 0, config: 0, freq: true, sample_freq: 99, sample_period: 10 })).toBe('EINVAL');
    const { perf_event_id: id } = await ok<{ perf_event_id: number }>(Subjects.perfEventOpen, { cpu: 0, config: 0, sample_period: 250000 });
    await ok(Subjects.perfEvent(id, 'close'), {});
  });
});

describe('sampling perf events over NATS - throttling', () => {
  it('perf sampling - an hour of virtual time at 100 kHz runs at most MAX_SAMPLES_PER_CATCH_UP samples and counts the rest as throttled', async () => {
    const prog = await load('perf_event', 'r0 = 0\nexit');
    const { perf_event_id: event } = await ok<{ perf_event_id: number }>(Subjects.perfEventOpen, { cpu: 0, config: 0, freq: true, sample_freq: 100000 });
    const id = await link({ prog_id: prog, attach_type: 'perf_event', target_fd: event });
    await ok(SimSubjects.timeAdvance, { by: 3600e9 });
    const { hooks } = await ok<{ hooks: { target: string; runs: number; actions: Record<string, number> }[] }>(SimSubjects.counters, {});
    const counter = hooks.find((h) => h.target === `cpu 0 event ${event} link ${id}`)!;
    expect(counter.runs).toBe(MAX_SAMPLES_PER_CATCH_UP);
    expect(counter.runs + counter.actions.THROTTLED!).toBe(3600 * 100000);
    await ok(Subjects.link(id, 'close'), {});
  });
});
