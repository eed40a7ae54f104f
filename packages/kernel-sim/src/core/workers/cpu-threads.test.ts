import { mapRecords } from '@bpfhive/maps-store';
import { HelperId as H } from '@bpfhive/uapi';
import { afterEach, describe, expect, it } from 'vitest';
import { kernelHarness, readU64 } from '../../testing/harness.js';
import { TrafficGenerator } from '../../world/index.js';
import { Simulation } from '../hooks/simulation.js';
import { XDP_BATCH } from '../hooks/xdp.js';
import type { CpuThreadsOptions } from './cpu-threads.js';
import { runsOnThread } from './worker-safe.js';

const CPUS = 2;
/** Every batch on its CPU's thread: main takes none back (what these tests check). */
const THREADS_ONLY: CpuThreadsOptions = { helpOnMain: false };
type Mode = boolean | CpuThreadsOptions;
/** More than a batch per CPU, so verdicts are applied over several rounds. */
const FRAMES = 3 * XDP_BATCH + 37;

/**
 * Per source address (a per-CPU hash: lookup, then add or insert through bpf_map_update_elem,
 * which a CPU thread asks main for), per CPU (a per-CPU array), the CPU that saw each source last
 * (a hash written with bpf_get_smp_processor_id on every frame), then a verdict by the source's
 * last byte: (byte + 1) & 3 — ABORTED, DROP, PASS or TX.
 */
const COUNT_AND_STEER = (bySrc: number, perCpu: number, cpuOf: number) => `
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 34
  r0 = 0
  if r4 > r3 goto out
  r7 = *(u32 *)(r2 + 26)
  *(u32 *)(r10 - 4) = r7
  ld_pseudo r1, 1, ${bySrc}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto insert
  r1 = *(u64 *)(r0 + 0)
  r1 += 1
  *(u64 *)(r0 + 0) = r1
  goto counted
  insert:
  r1 = 1
  *(u64 *)(r10 - 16) = r1
  ld_pseudo r1, 1, ${bySrc}
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = 0
  call ${H.map_update_elem}
  counted:
  *(u32 *)(r10 - 8) = 0
  ld_pseudo r1, 1, ${perCpu}
  r2 = r10
  r2 += -8
  call ${H.map_lookup_elem}
  if r0 == 0 goto cpu
  r1 = *(u64 *)(r0 + 0)
  r1 += 1
  *(u64 *)(r0 + 0) = r1
  cpu:
  call ${H.get_smp_processor_id}
  *(u64 *)(r10 - 16) = r0
  ld_pseudo r1, 1, ${cpuOf}
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = 0
  call ${H.map_update_elem}
  r0 = r7
  r0 >>= 24
  r0 += 1
  r0 &= 3
  out:
  exit`;

/** Reads 8 bytes at an address no memory has: the wasm traps, the run faults (EFAULT). */
const FAULTS = `
  r1 = 0x7ffffff0
  r0 = *(u64 *)(r1 + 0)
  r0 = 1
  exit`;

/** bpf_snprintf into an unmapped buffer: the helper, served on main for a thread, throws EFAULT. */
const HELPER_FAULTS = `
  r1 = 0x78
  *(u64 *)(r10 - 8) = r1
  r1 = 16
  r2 = 8
  r3 = r10
  r3 += -8
  r4 = 0
  r5 = 0
  call ${H.snprintf}
  r0 = 1
  exit`;

/** Calls bpf_xdp_adjust_head, which needs the packet per run: never in batches, so never on a CPU thread. */
const PER_FRAME = `
  r2 = 0
  call ${H.xdp_adjust_head}
  r0 = 2
  exit`;

/**
 * Inserts a 2 KiB value (from the stack) per source address into a hash map without
 * preallocation: every new source allocates arena memory on the main thread (served for the
 * thread), which grows the shared memory under the running threads. Then XDP_DROP.
 */
const GROW = (map: number) => `
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 34
  r0 = 1
  if r4 > r3 goto out
  r7 = *(u32 *)(r2 + 26)
  *(u32 *)(r10 - 4) = r7
  *(u64 *)(r10 - 2048) = r7
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -2048
  r4 = 0
  call ${H.map_update_elem}
  r0 = 1
  out:
  exit`;

/** counts[0] += 1 with an atomic add in a (shared, not per-CPU) array map, then XDP_DROP. */
const ATOMIC_COUNT = (map: number) => `
  *(u32 *)(r10 - 4) = 0
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto out
  r1 = 1
  lock *(u64 *)(r0 + 0) += r1
  out:
  r0 = 1
  exit`;

const DROP = 'r0 = 1\nexit';
const PASS = 'r0 = 2\nexit';

const frames = (count: number) =>
  new TrafficGenerator({ rate: 1e6, count, flows: { count: 97, src: '192.168.0.0/16', dst: '10.0.0.1', dport: 53 }, mix: { udp: 1 }, sizes: { kind: 'fixed', bytes: 64 } }).batch(count);

const open: { threads?: { close(): Promise<void> } }[] = [];
afterEach(async () => {
  for (const kernel of open.splice(0)) await kernel.threads?.close();
});

/** A kernel of CPUS CPUs, with or without CPU threads, eth0 with a queue per CPU. */
function setup(cpuThreads: Mode) {
  const h = kernelHarness({ cpus: CPUS, cpuThreads });
  open.push(h.kernel);
  const sim = new Simulation(h.kernel);
  const [eth0] = sim.createDevice({ name: 'eth0', queues: CPUS, addresses: ['10.0.0.1/24'] });
  return { h, sim, eth0: eth0! };
}

/** Loads `text` as XDP on eth0, sends `traffic` through it (in `fires` parts), and returns everything the two modes must agree on. */
async function drive(cpuThreads: Mode, text: (maps: number[]) => string, traffic = frames(FRAMES), fires = 3) {
  const { h, sim, eth0 } = setup(cpuThreads);
  const maps = [
    h.map({ map_type: 'percpu_hash', key_size: 4, value_size: 8, max_entries: 1024, map_name: 'by_src' }),
    h.map({ map_type: 'percpu_array', key_size: 4, value_size: 8, max_entries: 1, map_name: 'per_cpu' }),
    h.map({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 1024, map_name: 'cpu_of' }),
  ];
  const { program } = await h.load(text(maps), { prog_type: 'xdp' });
  sim.links.create({ prog_id: program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
  const part = Math.ceil(traffic.length / fires);
  for (let i = 0; i < traffic.length; i += part) sim.receive('eth0', traffic.slice(i, i + part));
  const contents = maps.map((id) =>
    [...mapRecords(h.directory.get(id))].map(([k, v]) => [Buffer.from(k).toString('hex'), Buffer.from(v).toString('hex')]).sort((a, b) => a[0]!.localeCompare(b[0]!)),
  );
  return {
    threads: h.kernel.threads?.started ?? 0,
    batches: h.kernel.threads?.batches,
    program,
    contents,
    perCpu: [...mapRecords(h.directory.get(maps[1]!))].map(([, v]) => [0, 1].map((cpu) => readU64(v, cpu * 8))),
    totals: eth0.totals(),
    counters: sim.hooks.counters.list().map((c) => ({ ...c })),
    flowLog: sim.hooks.flowLog.total,
    runs: h.kernel.info(program.id).run_cnt,
    sockets: sim.world.sockets.length,
  };
}

describe('cpu threads - XDP on worker threads', () => {
  it('cpu threads - the same traffic gives the same verdicts, counters and per-CPU map contents with and without threads', async () => {
    const text = ([a, b, c]: number[]) => COUNT_AND_STEER(a!, b!, c!);
    const one = await drive(false, text);
    const threaded = await drive(THREADS_ONLY, text);
    expect(runsOnThread(threaded.program)).toBe(true);
    expect(one.threads).toBe(0);
    expect(threaded.threads).toBe(CPUS);
    expect(threaded.batches!.onMain).toBe(0);
    expect(threaded.batches!.onThreads).toBeGreaterThanOrEqual(2 * 3);
    // The traffic reached both CPUs, and every frame was counted once.
    const [perCpu] = threaded.perCpu;
    expect(perCpu!.every((n) => n > 0n)).toBe(true);
    expect(perCpu!.reduce((a, b) => a + b)).toBe(BigInt(FRAMES));
    expect(threaded.runs).toBe(FRAMES);
    // Every verdict happened (drop, pass, tx, aborted).
    expect(threaded.totals.xdpDrop).toBeGreaterThan(0);
    expect(threaded.totals.xdpTx).toBeGreaterThan(0);
    expect(threaded.totals.rxPackets).toBeGreaterThan(0);
    expect(threaded.contents).toEqual(one.contents);
    expect(threaded.perCpu).toEqual(one.perCpu);
    expect(threaded.totals).toEqual(one.totals);
    expect(threaded.counters).toEqual(one.counters);
    expect(threaded.flowLog).toBe(one.flowLog);
    expect(threaded.runs).toBe(one.runs);
    expect(threaded.sockets).toBe(one.sockets);
  });

  it('cpu threads - with main helping (it runs one CPU batch per round and takes back unclaimed ones) the results are the same', async () => {
    const text = ([a, b, c]: number[]) => COUNT_AND_STEER(a!, b!, c!);
    const one = await drive(false, text);
    const threaded = await drive(THREADS_ONLY, text);
    const helped = await drive(true, text);
    // Main ran one CPU's batch of every round (3 fires at least), the rest ran where they were claimed.
    expect(helped.batches!.onMain).toBeGreaterThanOrEqual(3);
    expect(helped.batches!.onMain + helped.batches!.onThreads).toBe(threaded.batches!.onThreads);
    const { threads: _t, batches: _b, program: _p, ...same } = helped;
    const { threads: _t1, batches: _b1, program: _p1, ...expected } = one;
    expect(same).toEqual(expected);
  });

  it('cpu threads - bpf_get_smp_processor_id on a thread tells the CPU RSS steered the frame to', async () => {
    const { contents, perCpu } = await drive(THREADS_ONLY, ([a, b, c]: number[]) => COUNT_AND_STEER(a!, b!, c!));
    // cpu_of: every source seen on one CPU only (RSS by flow), and both CPUs appear.
    const cpus = new Set(contents[2]!.map(([, v]) => readU64(Buffer.from(v!, 'hex'))));
    expect([...cpus].sort()).toEqual([0n, 1n]);
    // by_src: a source's count lies in the slot of the CPU cpu_of names, the other slot is 0.
    const cpuOf = new Map(contents[2]!.map(([k, v]) => [k!, Number(readU64(Buffer.from(v!, 'hex')))]));
    for (const [key, value] of contents[0]!) {
      const slots = [0, 1].map((cpu) => readU64(Buffer.from(value!, 'hex'), cpu * 8));
      expect(slots[1 - cpuOf.get(key!)!]).toBe(0n);
      expect(slots[cpuOf.get(key!)!]).toBeGreaterThan(0n);
    }
    expect(perCpu[0]!.reduce((a, b) => a + b)).toBe(BigInt(FRAMES));
  });

  it('cpu threads - a run that faults on a thread aborts its batch with the error, as on the main thread', async () => {
    const one = await drive(false, () => FAULTS, frames(100), 1);
    const threaded = await drive(THREADS_ONLY, () => FAULTS, frames(100), 1);
    expect(threaded.threads).toBe(CPUS);
    const xdp = threaded.counters.find((c) => c.hook === 'xdp')!;
    expect(xdp.errors).toBe(100);
    expect(xdp.lastError).toMatch(/out of bounds|memory/i);
    expect(threaded.totals).toEqual(one.totals);
    expect(threaded.counters).toEqual(one.counters);
    expect(threaded.runs).toBe(0);
  });

  it('cpu threads - a helper that throws on main for a thread stops the batch with the same error as on main', async () => {
    const one = await drive(false, () => HELPER_FAULTS, frames(40), 1);
    const threaded = await drive(THREADS_ONLY, () => HELPER_FAULTS, frames(40), 1);
    expect(threaded.batches!.onThreads).toBe(CPUS);
    const xdp = threaded.counters.find((c) => c.hook === 'xdp')!;
    expect(xdp.errors).toBe(40);
    expect(xdp.lastError).toMatch(/^run: bpf_snprintf failed: kernel memory: 8 bytes at 0x10 are not mapped/);
    expect(threaded.counters).toEqual(one.counters);
    expect(threaded.totals).toEqual(one.totals);
  });

  it('cpu threads - a program that needs its packet per run stays on the main thread', async () => {
    const one = await drive(false, () => PER_FRAME, frames(50), 1);
    const threaded = await drive(THREADS_ONLY, () => PER_FRAME, frames(50), 1);
    expect(runsOnThread(threaded.program)).toBe(false);
    expect(threaded.threads).toBe(0);
    expect(threaded.totals.rxPackets).toBe(50);
    expect(threaded.totals).toEqual(one.totals);
    expect(threaded.runs).toBe(50);
  });

  it('cpu threads - atomic adds of CPUs running at once on one shared counter lose nothing', async () => {
    const { h, sim, eth0 } = setup(THREADS_ONLY);
    const map = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1, map_name: 'count' });
    const { program } = await h.load(ATOMIC_COUNT(map), { prog_type: 'xdp' });
    sim.links.create({ prog_id: program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    const traffic = frames(4 * XDP_BATCH * CPUS);
    for (let i = 0; i < 5; i++) sim.receive('eth0', traffic);
    const [[, value]] = [...mapRecords(h.directory.get(map))] as [[Uint8Array, Uint8Array]];
    expect(readU64(value)).toBe(BigInt(5 * traffic.length));
    expect(h.kernel.threads!.batches.onThreads).toBeGreaterThanOrEqual(5 * 4);
  });

  it('cpu threads - the shared memory may grow while the threads run (a helper served on main allocates)', async () => {
    const grow = async (cpuThreads: Mode) => {
      const { h, sim, eth0 } = setup(cpuThreads);
      const map = h.map({ map_type: 'hash', key_size: 4, value_size: 2048, max_entries: 4096, map_flags: 1, map_name: 'big' });
      const { program } = await h.load(GROW(map), { prog_type: 'xdp' });
      sim.links.create({ prog_id: program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
      sim.receive('eth0', frames(8));
      const before = h.kernel.arena.memory.buffer.byteLength;
      sim.receive('eth0', new TrafficGenerator({ rate: 1e6, count: 600, flows: { count: 600, src: '172.16.0.0/12', dst: '10.0.0.1', dport: 53 }, mix: { udp: 1 }, sizes: { kind: 'fixed', bytes: 64 } }).batch(600));
      const records = [...mapRecords(h.directory.get(map))].map(([k, v]) => Buffer.from(k).toString('hex') + Buffer.from(v.subarray(0, 8)).toString('hex')).sort();
      return { grew: h.kernel.arena.memory.buffer.byteLength > before, records, totals: eth0.totals(), errors: sim.hooks.counters.list().map((c) => c.errors), threads: h.kernel.threads?.started ?? 0 };
    };
    const one = await grow(false);
    const threaded = await grow(THREADS_ONLY);
    expect(threaded.threads).toBe(CPUS);
    expect(threaded.grew).toBe(true);
    expect(threaded.errors).toEqual([0]);
    expect(threaded.records.length).toBeGreaterThan(300);
    expect(threaded.records).toEqual(one.records);
    expect(threaded.totals).toEqual(one.totals);
  });

  it('cpu threads - a link updated to a new program runs the new one on the threads (the old one freed); after close the CPUs run on main', async () => {
    const { h, sim, eth0 } = setup(THREADS_ONLY);
    const { program: drop } = await h.load(DROP, { prog_type: 'xdp' });
    const link = sim.links.create({ prog_id: drop.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    sim.receive('eth0', frames(64));
    expect(h.kernel.threads!.started).toBe(CPUS);
    const { program: pass } = await h.load(PASS, { prog_type: 'xdp' });
    sim.links.update(link.id, { new_prog_id: pass.id });
    h.kernel.closeHandle(drop.id);
    expect(() => h.kernel.program(drop.id)).toThrow(/no such program/);
    sim.receive('eth0', frames(64));
    expect(eth0.totals()).toMatchObject({ xdpDrop: 64, xdpPass: 64, rxPackets: 64 });
    expect(h.kernel.info(pass.id).run_cnt).toBe(64);
    // Closed threads: the CPUs go on, on the main thread.
    await h.kernel.threads!.close();
    sim.receive('eth0', frames(64));
    expect(eth0.totals()).toMatchObject({ xdpPass: 128, rxPackets: 128 });
    expect(h.kernel.threads!.started).toBe(0);
  });
});
