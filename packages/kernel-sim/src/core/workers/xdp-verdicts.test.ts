import { afterEach, describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';
import { TrafficGenerator } from '../../world/index.js';
import { Simulation } from '../hooks/simulation.js';
import type { CpuThreadsOptions } from './cpu-threads.js';

/**
 * Verdicts of XDP batches that ran on the CPUs' threads (summed there, batch-summary.ts) against
 * the same traffic on one thread: every counter of every queue, the hook counters and every flow
 * log record must be the same.
 */
const CPUS = 2;
type Mode = boolean | CpuThreadsOptions;

/** The verdict by the source address's last byte: byte % 5 — ABORTED, DROP, PASS, TX or REDIRECT (no target: an error). */
const BY_SOURCE = `
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 34
  r0 = 1
  if r4 > r3 goto out
  r0 = *(u8 *)(r2 + 29)
  r0 %= 5
  out:
  exit`;
/** Every frame XDP_DROP. */
const DROP = 'r0 = 1\nexit';

const frames = (count: number, flows = 97) =>
  new TrafficGenerator({ rate: 1e6, count, flows: { count: flows, src: '192.168.0.0/16', dst: '10.0.1.1', dport: 53 }, mix: { udp: 1 }, sizes: { kind: 'fixed', bytes: 64 } }).batch(count);

const open: { threads?: { close(): Promise<void> } }[] = [];
afterEach(async () => {
  for (const kernel of open.splice(0)) await kernel.threads?.close();
});

/**
 * eth0 (no program) and eth1 (4 queues over the 2 CPUs, `text` attached), `traffic` received on
 * eth1 in `fires` parts; everything the modes must agree on.
 */
async function drive(cpuThreads: Mode, text: string, traffic: ReturnType<typeof frames>, fires: number) {
  const h = kernelHarness({ cpus: CPUS, cpuThreads });
  open.push(h.kernel);
  const sim = new Simulation(h.kernel);
  const [eth0] = sim.createDevice({ name: 'eth0', queues: CPUS, addresses: ['10.0.0.1/24'] });
  const [eth1] = sim.createDevice({ name: 'eth1', queues: 4, addresses: ['10.0.1.1/24'] });
  const { program } = await h.load(text, { prog_type: 'xdp' });
  sim.links.create({ prog_id: program.id, attach_type: 'xdp', target_ifindex: eth1!.ifindex });
  const part = Math.ceil(traffic.length / fires);
  for (let i = 0; i < traffic.length; i += part) sim.receive('eth1', traffic.slice(i, i + part));
  return {
    batches: h.kernel.threads?.batches,
    eth0: eth0!.queues.map((q) => ({ ...q })),
    eth1: eth1!.queues.map((q) => ({ ...q })),
    counters: sim.hooks.counters.list().map((c) => ({ ...c })),
    records: sim.hooks.flowLog.read(0).records,
    runs: h.kernel.info(program.id).run_cnt,
  };
}

describe('cpu threads - XDP verdicts of batches run on threads', () => {
  it('cpu threads - TX, PASS, REDIRECT and ABORTED from a thread reach the device the frame came in on, with the same queue counters and flow log as on one thread', async () => {
    // Fewer than a batch per CPU per fire: the flow log's order is the same as on one thread too.
    const traffic = frames(300);
    const one = await drive(false, BY_SOURCE, traffic, 2);
    for (const mode of [{ helpOnMain: false }, true]) {
      const threaded = await drive(mode, BY_SOURCE, traffic, 2);
      // A batch per CPU per fire; helping, main runs some (which, depends on when the thread claims them).
      const { onThreads, onMain } = threaded.batches!;
      expect(onThreads + onMain).toBe(2 * CPUS);
      if (mode !== true) expect(onThreads).toBe(2 * CPUS);
      expect(threaded.runs).toBe(300);
      // Verdicts other than DROP happened, on eth1's queues only: eth0 saw nothing.
      const tx = threaded.eth1.reduce((n, q) => n + q.xdpTx, 0);
      expect(tx).toBeGreaterThan(0);
      expect(threaded.eth1.reduce((n, q) => n + q.txPackets, 0)).toBe(tx);
      expect(threaded.eth1.reduce((n, q) => n + q.rxPackets, 0)).toBeGreaterThan(0);
      expect(threaded.eth0.every((q) => Object.values(q).every((n) => n === 0))).toBe(true);
      const actions = threaded.counters.find((c) => c.hook === 'xdp')!.actions;
      expect([...actions.keys()].sort()).toEqual(['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_REDIRECT', 'XDP_TX']);
      expect([...actions.values()].reduce((a, b) => a + b)).toBe(300);
      expect(threaded.eth1).toEqual(one.eth1);
      expect(threaded.eth0).toEqual(one.eth0);
      expect(threaded.counters).toEqual(one.counters);
      expect(threaded.records).toEqual(one.records);
    }
  });

  it('cpu threads - XDP_DROPs counted on the threads land on the queues they came in on (4 queues, 2 CPUs), as on one thread', async () => {
    const traffic = frames(2000, 500);
    const one = await drive(false, DROP, traffic, 3);
    const threaded = await drive({ helpOnMain: false }, DROP, traffic, 3);
    expect(threaded.batches!.onThreads).toBeGreaterThanOrEqual(CPUS * 3);
    // Every queue dropped some, and the sum is every frame.
    expect(threaded.eth1.every((q) => q.xdpDrop > 0 && q.rxDropped === q.xdpDrop)).toBe(true);
    expect(threaded.eth1.reduce((n, q) => n + q.xdpDrop, 0)).toBe(2000);
    expect(threaded.eth1).toEqual(one.eth1);
    expect(threaded.counters).toEqual(one.counters);
    expect(threaded.records.length).toBe(one.records.length);
    expect(threaded.records.map((r) => r.action)).toEqual(one.records.map((r) => r.action));
  });

  it('cpu threads - helping, frames of one CPU only run on main as one thread runs them: no thread starts, the batches count as on main', async () => {
    const h = kernelHarness({ cpus: CPUS, cpuThreads: true });
    open.push(h.kernel);
    const sim = new Simulation(h.kernel);
    // One queue: every frame on CPU 0.
    const [eth1] = sim.createDevice({ name: 'eth1', queues: 1, addresses: ['10.0.1.1/24'] });
    const { program } = await h.load(DROP, { prog_type: 'xdp' });
    sim.links.create({ prog_id: program.id, attach_type: 'xdp', target_ifindex: eth1!.ifindex });
    sim.receive('eth1', frames(600));
    expect(h.kernel.threads!.started).toBe(0);
    expect(h.kernel.threads!.batches).toEqual({ onThreads: 0, onMain: 3 });
    expect(eth1!.totals()).toMatchObject({ xdpDrop: 600, rxDropped: 600 });
    expect(h.kernel.info(program.id).run_cnt).toBe(600);
  });
});
