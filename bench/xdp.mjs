#!/usr/bin/env node
/* global performance */
/**
 * kernel-sim XDP benchmark: packets per second through a device's XDP hook on one simulated CPU,
 * the way the simulated world delivers them (Hooks.fire with a batch of packet events: frames
 * copied into pages, xdp_md contexts laid out, the program run over the batch in one call, the
 * verdicts applied to the device counters and the flow log).
 *
 *   node bench/xdp.mjs [--quick] [--json]     # needs the workspace built (npm run build)
 *
 * Programs (assembled here, loaded through BPF_PROG_LOAD with a verifier stand-in that accepts,
 * compiled by the in-process JIT):
 *   (a) drop        XDP_DROP
 *   (b) parse+count parse Ethernet/IPv4, count packets per source address in a BPF hash map
 *                   (lookup, then an atomic add or an insert), XDP_DROP — so the figure is the
 *                   XDP hook alone, not the world's stack behind XDP_PASS
 *   (c) per-event   (a) plus a bpf_xdp_adjust_head(ctx, 0) call, which needs the packet per run:
 *                   the hook falls back to one run per frame, for comparison
 *   (a) and (b) again on all CPUs: a kernel of as many simulated CPUs as the host has (at least 2),
 *                   eth0 with a queue per CPU; the simulated CPUs share one JavaScript thread
 *                   (see runXdpBench), so these are not N times the one-CPU figures
 * Traffic: 256 UDP frames of 64 bytes from 64 flows (the world's traffic generator), fired as one
 * batch again and again. Method: rounds of ~roundMs, packets per second = frames / round time; the
 * median round is the figure (targets are checked on it); the best round, and packets per second
 * of this process's CPU time, show the speed when nothing else shares the CPU. After the rounds the verdicts are checked: every run dropped its
 * frame, none reached the stack, and (b)'s map counted every frame.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Arena, MapDirectory, mapRecords } from '@bpfhive/maps-store';
import { InProcessCompiler, Kernel, LocalMapProvider, Simulation, world } from '@bpfhive/kernel-sim';
import { HelperId as H, assemble } from '@bpfhive/uapi';

const FRAMES = 256;
const TARGETS_MPPS = { drop: 10, parse_count: 5 };

/** Accepts every program: the benchmark measures running programs, not verifying them. */
const acceptAll = { verify: async (r) => ({ verdict: 'accept', log: '', stats: { processed_insns: r.insns.length, total_states: 0, peak_states: 0 } }) };

const DROP = 'r0 = 1\nexit';
const PARSE_COUNT = (map) => `
  r6 = r1
  r2 = *(u32 *)(r6 + 0)
  r3 = *(u32 *)(r6 + 4)
  r4 = r2
  r4 += 34
  if r4 > r3 goto drop
  r5 = *(u16 *)(r2 + 12)
  if r5 != 8 goto drop
  r7 = *(u32 *)(r2 + 26)
  *(u32 *)(r10 - 4) = r7
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto insert
  r1 = 1
  lock *(u64 *)(r0 + 0) += r1
  goto drop
  insert:
  r1 = 1
  *(u64 *)(r10 - 16) = r1
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = 0
  call ${H.map_update_elem}
  drop:
  r0 = 1
  exit`;
const PER_EVENT = `
  r6 = r1
  r2 = 0
  call ${H.xdp_adjust_head}
  r0 = 1
  exit`;

/** A kernel of `cpus` simulated CPUs with eth0 (one receive queue per CPU) and the batch of frames RSS spreads over them. */
async function setup(cpus = 1) {
  const arena = new Arena({ initialPages: 64 });
  const directory = new MapDirectory(arena, cpus);
  const kernel = new Kernel({ maps: new LocalMapProvider(directory), verifier: acceptAll, compiler: new InProcessCompiler() }, { arena, cpus });
  const sim = new Simulation(kernel);
  const [eth0] = sim.createDevice({ name: 'eth0', queues: cpus, addresses: ['10.0.0.1/24'] });
  const frames = new world.TrafficGenerator({ rate: 1e6, count: FRAMES, flows: { count: 64, src: '192.168.0.0/16', dst: '10.0.0.1', dport: 53 }, mix: { udp: 1 }, sizes: { kind: 'fixed', bytes: 64 } }).batch(FRAMES);
  const events = frames.map((f) => {
    const packet = world.arrive(eth0, f.frame, f.time, cpus);
    return { kind: 'packet', time: packet.time, cpu: packet.cpu, packet };
  });
  return { kernel, sim, eth0, directory, events };
}

/**
 * Packets per second of firing `events` through `sim`'s hooks, per round: by the wall clock (the
 * median and the best round) and by this process's CPU time (user + system, the median), which a
 * machine shared with other work disturbs far less.
 */
function measure(sim, events, { rounds, roundMs, warmupMs }) {
  const fire = () => sim.hooks.fire(events);
  for (const end = performance.now() + warmupMs; performance.now() < end; ) fire();
  let per = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < per; i++) fire();
    if (performance.now() - t >= roundMs / 4) break;
    per *= 2;
  }
  const t0 = performance.now();
  for (let i = 0; i < per; i++) fire();
  per = Math.max(1, Math.round((per * roundMs) / (performance.now() - t0)));
  const wall = [];
  const cpu = [];
  for (let r = 0; r < rounds; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < per; i++) fire();
    const ms = performance.now() - t;
    const used = process.cpuUsage(c);
    wall.push((per * events.length * 1000) / ms);
    cpu.push((per * events.length * 1e6) / (used.user + used.system));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { median: median(wall), best: Math.max(...wall), cpu: median(cpu) };
}

/**
 * Runs the cases; returns the figures (packets per second, ns per packet) and checks. The `_all_cpus`
 * cases run (a) and (b) on a kernel of as many simulated CPUs as the host has, eth0 with a queue
 * each: the kernel-sim runs its CPUs one after another on one JavaScript thread (they are not
 * worker threads yet), so this is the hook's throughput over all simulated CPUs together — the
 * batch split by CPU — and not N times one CPU.
 */
export async function runXdpBench({ quick = false, only } = {}) {
  const method = { rounds: quick ? 5 : 31, roundMs: quick ? 20 : 50, warmupMs: quick ? 100 : 500 };
  const allCpus = Math.max(2, os.cpus().length);
  const cases = [];
  for (const [name, text, target, cpus] of [
    ['drop', () => DROP, TARGETS_MPPS.drop, 1],
    ['parse_count', (map) => PARSE_COUNT(map), TARGETS_MPPS.parse_count, 1],
    ['per_event', () => PER_EVENT, undefined, 1],
    ['drop_all_cpus', () => DROP, undefined, allCpus],
    ['parse_count_all_cpus', (map) => PARSE_COUNT(map), undefined, allCpus],
  ]) {
    if (only && only !== name) continue;
    const { kernel, sim, eth0, directory, events } = await setup(cpus);
    const map = directory.create({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 1024, map_name: 'by_src' });
    const { program } = await kernel.load({ prog_type: 'xdp', license: 'GPL', insns: assemble(text(map)) });
    sim.links.create({ prog_id: program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    const { median: pps, best, cpu } = measure(sim, events, method);
    const totals = eth0.totals();
    const runs = kernel.info(program.id).run_cnt;
    if (totals.xdpDrop !== runs || totals.rxPackets !== 0) throw new Error(`${name}: ${runs} runs but ${totals.xdpDrop} drops and ${totals.rxPackets} received`);
    let counted;
    if (name.startsWith('parse_count')) {
      counted = 0n;
      for (const [, value] of mapRecords(directory.get(map))) counted += new DataView(value.buffer, value.byteOffset).getBigUint64(0, true);
      if (counted !== BigInt(runs)) throw new Error(`parse_count: the map counted ${counted} packets of ${runs}`);
    }
    cases.push({
      program: name,
      cpus,
      batched: name !== 'per_event',
      mpps: pps / 1e6,
      ns_per_packet: 1e9 / pps,
      best_mpps: best / 1e6,
      cpu_mpps: cpu / 1e6,
      ...(target !== undefined && { target_mpps: target, meets_target: pps / 1e6 >= target }),
      packets: runs,
      flow_log_records: sim.hooks.flowLog.total,
    });
  }
  const drop = cases.find((c) => c.program === 'drop');
  const perEvent = cases.find((c) => c.program === 'per_event');
  return { cpus: 1, all_cpus: allCpus, threads: 1, frames_per_fire: FRAMES, frame_bytes: 64, method, cases, batching_speedup: drop && perEvent ? drop.mpps / perEvent.mpps : null };
}

/** The table lines for bench/run.mjs. */
export function formatXdpBench(report) {
  const lines = [`\nkernel-sim XDP hook (Hooks.fire of ${report.frames_per_fire} frames of ${report.frame_bytes} bytes; median of ${report.method.rounds} rounds); one CPU:`];
  for (const c of report.cases) {
    if (c.cpus > 1 && !lines.some((l) => l.includes('simulated CPUs'))) {
      lines.push(`  all ${c.cpus} simulated CPUs (eth0 with ${c.cpus} queues, RSS; the CPUs run one after another on ONE JavaScript thread — not worker threads yet — so this is not ${c.cpus}× one CPU):`);
    }
    const target = c.target_mpps === undefined ? '' : `  target ≥${c.target_mpps} Mpps ${c.meets_target ? 'ok' : 'MISS'}`;
    lines.push(
      `  ${c.program.padEnd(20)} ${c.mpps.toFixed(2).padStart(6)} Mpps (best round ${c.best_mpps.toFixed(2)}, per CPU-second ${c.cpu_mpps.toFixed(2)})  ${c.ns_per_packet.toFixed(1).padStart(7)} ns/packet  ${c.batched ? 'batched' : 'one run per frame'}${target}`,
    );
  }
  lines.push(`  batching: ${report.batching_speedup.toFixed(1)}× the per-frame runs`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const report = await runXdpBench({ quick: argv.includes('--quick') });
  console.log(argv.includes('--json') ? JSON.stringify(report, null, 2) : formatXdpBench(report));
}
