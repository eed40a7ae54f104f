import { HelperId as H, XDP_MD } from '@bpfhive/uapi';
import { member } from '../contexts/layout.js';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU64, u32s } from '../../testing/harness.js';
import { udpFrame } from '../../testing/packets.js';
import { DeviceTable, type Packet, applyXdp, arrive } from '../../world/index.js';
import { Simulation } from './simulation.js';
import { MAX_HOPS, countXdpDrops } from './packet-path.js';
import { XDP_BATCH } from './xdp.js';

/** A simulation on a harness kernel with eth0 (4 queues, 10.0.0.2) and veth0/veth1. */
function setup(cpus = 2) {
  const h = kernelHarness({ cpus });
  const sim = new Simulation(h.kernel);
  const [eth0] = sim.createDevice({ name: 'eth0', queues: 4, addresses: ['10.0.0.2/24'] });
  return { h, sim, eth0: eth0! };
}

const xdp = (h: ReturnType<typeof kernelHarness>, text: string) => h.load(text, { prog_type: 'xdp' });

/** counts[0] += 1 in an array map, then r0 = verdict. */
const countThen = (map: number, verdict: number) => `
  *(u32 *)(r10 - 4) = 0
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto out
  r1 = 1
  lock *(u64 *)(r0 + 0) += r1
  out:
  r0 = ${verdict}
  exit`;

describe('packet path - XDP', () => {
  it('packet path - frames without an XDP program go up the stack', () => {
    const { sim, eth0 } = setup();
    sim.receive('eth0', [udpFrame(), udpFrame()]);
    expect(eth0.totals().rxPackets).toBe(2);
    expect(sim.world.sockets.length).toBe(2);
  });

  it('packet path - an XDP_DROP program runs in batches: every frame counted once, dropped, and logged', async () => {
    const { h, sim, eth0 } = setup();
    const counts = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    const { program } = await xdp(h, countThen(counts, 1));
    sim.links.create({ prog_id: program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    const frames = Array.from({ length: XDP_BATCH + 44 }, (_, i) => udpFrame(new Uint8Array([i & 0xff])));
    sim.receive('eth0', frames);
    expect(readU64(h.directory.lookup(counts, u32s(0)))).toBe(BigInt(frames.length));
    const totals = eth0.totals();
    expect([totals.xdpDrop, totals.rxDropped, totals.rxPackets]).toEqual([frames.length, frames.length, 0]);
    expect(h.kernel.info(program.id).run_cnt).toBe(frames.length);
    const { records } = sim.hooks.flowLog.read(0);
    expect(records).toHaveLength(frames.length);
    expect(records[0]).toMatchObject({ hook: 'xdp', progId: program.id, action: 'XDP_DROP', ifindex: eth0.ifindex, tuple: { proto: 17, dport: 80 } });
    expect(sim.hooks.counters.of('xdp', `ifindex ${eth0.ifindex}`)).toMatchObject({ runs: frames.length, actions: new Map([['XDP_DROP', frames.length]]) });
  });

  it('packet path - frames RSS spreads over CPUs run per CPU, groups in the order of their first frame, frames in arrival order', async () => {
    const { h, sim, eth0 } = setup(2);
    const { program } = await xdp(h, 'r0 = 1\nexit');
    sim.links.create({ prog_id: program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    // 32 flows (source ports 1000..1031), so the 4 queues and both CPUs get frames.
    const frames = Array.from({ length: 32 }, (_, i) => {
      const f = udpFrame(new Uint8Array([i]));
      f.set([(1000 + i) >> 8, (1000 + i) & 0xff], 34);
      return f;
    });
    const arrived = frames.map((f, i) => ({ i, cpu: arrive(eth0, f, 0, 2).cpu }));
    const firstCpu = arrived[0]!.cpu;
    expect(new Set(arrived.map((a) => a.cpu)).size).toBe(2);
    const expected = [...arrived.filter((a) => a.cpu === firstCpu), ...arrived.filter((a) => a.cpu !== firstCpu)];
    sim.receive('eth0', frames);
    const { records } = sim.hooks.flowLog.read(0);
    expect(records.map((r) => [r.cpu, r.tuple?.sport])).toEqual(expected.map((a) => [a.cpu, 1000 + a.i]));
    expect(eth0.totals().xdpDrop).toBe(frames.length);
    expect(eth0.queues.map((q) => q.xdpDrop)).toEqual([0, 1, 2, 3].map((q) => frames.filter((f) => arrive(eth0, f, 0, 2).queue === q).length));
  });

  it('packet path - counting XDP_DROPs moves the counters as applyXdp does', () => {
    const batch = new DeviceTable();
    const single = new DeviceTable();
    for (const t of [batch, single]) t.create({ name: 'eth0', queues: 4 });
    const packets: Packet[] = [0, 1, 2, 3].map((i) => arrive(single.resolve('eth0'), udpFrame(new Uint8Array([i])), i, 2));
    for (const p of packets) applyXdp(single, p, 1);
    for (const p of packets) countXdpDrops(batch.resolve('eth0').queue(p.queue), 1);
    expect(batch.resolve('eth0').queues).toEqual(single.resolve('eth0').queues);
  });

  it('packet path - XDP_PASS frames go on to the stack; XDP_TX frames leave through the same device', async () => {
    const { h, sim, eth0 } = setup();
    const pass = await xdp(h, 'r0 = 2\nexit');
    const link = sim.links.create({ prog_id: pass.program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    sim.receive('eth0', [udpFrame()]);
    expect(eth0.totals()).toMatchObject({ xdpPass: 1, rxPackets: 1 });
    const tx = await xdp(h, 'r0 = 3\nexit');
    sim.links.update(link.id, { new_prog_id: tx.program.id });
    sim.receive('eth0', [udpFrame()]);
    expect(eth0.totals()).toMatchObject({ xdpTx: 1, txPackets: 1, rxPackets: 1 });
    expect(sim.hooks.flowLog.read(0).records.map((r) => r.action)).toEqual(['XDP_PASS', 'XDP_TX']);
  });

  it('packet path - bpf_redirect to a veth: the peer receives the frame at its own XDP hook', async () => {
    const { h, sim, eth0 } = setup();
    const [veth0, veth1] = sim.createDevice({ name: 'veth0', kind: 'veth' }, { name: 'veth1' });
    const redirect = await xdp(h, `r1 = ${veth0!.ifindex}\nr2 = 0\ncall ${H.redirect}\nexit`);
    sim.links.create({ prog_id: redirect.program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    const counts = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    const count = await xdp(h, countThen(counts, 1));
    sim.links.create({ prog_id: count.program.id, attach_type: 'xdp', target_ifindex: veth1!.ifindex });
    sim.receive('eth0', [udpFrame(), udpFrame()]);
    expect(veth0!.totals().txPackets).toBe(2);
    expect(veth1!.totals().xdpDrop).toBe(2);
    expect(readU64(h.directory.lookup(counts, u32s(0)))).toBe(2n);
  });

  it('packet path - a detached XDP link no longer runs its program', async () => {
    const { h, sim, eth0 } = setup();
    const drop = await xdp(h, 'r0 = 1\nexit');
    const link = sim.links.create({ prog_id: drop.program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    sim.receive('eth0', [udpFrame()]);
    sim.links.detach(link.id);
    sim.receive('eth0', [udpFrame()]);
    expect(eth0.totals()).toMatchObject({ xdpDrop: 1, rxPackets: 1 });
  });
});

describe('packet path - one run per frame, redirects, loops', () => {
  it('packet path - a program that moves the packet start runs once per frame, and the stack gets the frame as it left it', async () => {
    const { h, sim, eth0 } = setup();
    const pop = await xdp(h, `r6 = r1\nr2 = 14\ncall ${H.xdp_adjust_head}\nr0 = 2\nexit`);
    sim.links.create({ prog_id: pop.program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    sim.receive('eth0', [udpFrame(), udpFrame()]);
    const delivered = sim.world.sockets.drain();
    expect(delivered.map((d) => d.len)).toEqual([46, 46]);
    expect(delivered[0]!.frame).toEqual(udpFrame().subarray(14));
    expect(h.kernel.info(pop.program.id).run_cnt).toBe(2);
  });

  it('packet path - one run per frame and batches give the same verdicts, counters and flow log, in frame order', async () => {
    // XDP_PASS when the first payload byte is odd, else XDP_DROP; `perFrame` adds xdp_adjust_head(ctx, 0), which needs the packet per run.
    const parity = (perFrame: boolean) => `
      r6 = r1
      ${perFrame ? `r2 = 0\n call ${H.xdp_adjust_head}` : ''}
      r2 = *(u32 *)(r6 + 0)
      r3 = *(u32 *)(r6 + 4)
      r4 = r2
      r4 += 43
      if r4 > r3 goto drop
      r5 = *(u8 *)(r2 + 42)
      r5 &= 1
      if r5 == 0 goto drop
      r0 = 2
      exit
      drop:
      r0 = 1
      exit`;
    const payloads = [0, 0, 1, 0, 0, 0, 1, 1, 0, 2, 4];
    const outcomes = [];
    for (const perFrame of [true, false]) {
      const { h, sim, eth0 } = setup();
      const { program } = await xdp(h, parity(perFrame));
      sim.links.create({ prog_id: program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
      sim.receive('eth0', payloads.map((b) => udpFrame(new Uint8Array([b, 0]))));
      const counter = sim.hooks.counters.of('xdp', `ifindex ${eth0.ifindex}`);
      outcomes.push({ records: sim.hooks.flowLog.read(0).records, queues: eth0.queues, runs: counter.runs, actions: [...counter.actions], runCount: h.kernel.info(program.id).run_cnt });
    }
    const [perFrame, batched] = outcomes;
    expect(perFrame!.records.map((r) => r.action)).toEqual(payloads.map((b) => (b & 1 ? 'XDP_PASS' : 'XDP_DROP')));
    expect(perFrame!.actions).toEqual([['XDP_DROP', 8], ['XDP_PASS', 3]]);
    expect(perFrame!.runs).toBe(payloads.length);
    expect(perFrame).toEqual(batched);
  });

  it('packet path - bpf_redirect_map through a DEVMAP sends the frame out of the device in the entry', async () => {
    const { h, sim, eth0 } = setup();
    const [veth0, veth1] = sim.createDevice({ name: 'veth0', kind: 'veth' }, { name: 'veth1' });
    const devmap = h.map({ map_type: 'devmap', key_size: 4, value_size: 4, max_entries: 4 });
    h.directory.update(devmap, u32s(0), u32s(veth0!.ifindex), 0);
    const prog = await xdp(h, `ld_pseudo r1, 1, ${devmap}\nr2 = 0\nr3 = 0\ncall ${H.redirect_map}\nexit`);
    sim.links.create({ prog_id: prog.program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    sim.receive('eth0', [udpFrame()]);
    expect([eth0.totals().xdpRedirect, veth0!.totals().txPackets, veth1!.totals().rxPackets]).toEqual([1, 1, 1]);
    expect(sim.hooks.flowLog.read(0).records[0]).toMatchObject({ action: 'XDP_REDIRECT', target: `dev ${veth0!.ifindex}` });
  });

  it('packet path - a frame sent round and round (XDP_TX on lo) is dropped after MAX_HOPS devices', async () => {
    const { h, sim } = setup();
    const tx = await xdp(h, 'r0 = 3\nexit');
    sim.links.create({ prog_id: tx.program.id, attach_type: 'xdp', target_ifindex: 1 });
    sim.receive('lo', [udpFrame()]);
    expect(sim.world.devices.resolve('lo').totals().xdpTx).toBe(MAX_HOPS);
    expect(sim.hooks.counters.of('net', 'ifindex 1').actions.get('HOP_LIMIT')).toBe(1);
  });

  it('packet path - the batch path writes xdp_md as uapi lays it out', () => {
    expect(['data', 'data_end', 'data_meta', 'ingress_ifindex', 'rx_queue_index', 'egress_ifindex'].map((f) => member(XDP_MD, f).offset)).toEqual([0, 4, 8, 12, 16, 20]);
  });
});
