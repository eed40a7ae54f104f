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
 *                   eth0 with a queue per CPU, twice: the simulated CPUs one after another on
 *                   one JavaScript thread, and on worker threads (Kernel option cpuThreads: the
 *                   batches of all CPUs run at once; main runs one CPU's batch itself and takes
 *                   back those no thread claimed in time, and runs all of them itself while
 *                   the threads rest (a thread that keeps missing its batches on a busy machine);
 *                   main copies each CPU's frames in just before it hands the batch over, a
 *                   thread counts its XDP_DROPs itself (per queue) and main applies only the
 *                   other verdicts; main also serves helper calls the JIT did not inline; "per
 *                   CPU-second" counts the threads' CPU time too). The ratio threads / one thread is measured in the same run:
 *                   on a machine whose cores are busy with other work it is noisy, and the
 *                   worker threads only help while a core is free for each
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

/**
 * A kernel of `cpus` simulated CPUs (on worker threads when `threads`) with eth0 (one receive
 * queue per CPU) and the batch of frames RSS spreads over them.
 */
async function setup(cpus = 1, threads = false) {
  const arena = new Arena({ initialPages: 64 });
  const directory = new MapDirectory(arena, cpus);
  const kernel = new Kernel({ maps: new LocalMapProvider(directory), verifier: acceptAll, compiler: new InProcessCompiler() }, { arena, cpus, cpuThreads: threads });
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
 * each, with the CPUs one after another on one JavaScript thread; the `_threads` cases the same
 * with a worker thread per CPU running the CPUs' batches at once (`threads_speedup`: their ratio
 * to the one-thread all-CPU figures of this run).
 */
export async function runXdpBench({ quick = false, only } = {}) {
  const method = { rounds: quick ? 5 : 31, roundMs: quick ? 20 : 50, warmupMs: quick ? 100 : 500 };
  const allCpus = Math.max(2, os.cpus().length);
  const cases = [];
  for (const [name, text, target, cpus, threads = false] of [
    ['drop', () => DROP, TARGETS_MPPS.drop, 1],
    ['parse_count', (map) => PARSE_COUNT(map), TARGETS_MPPS.parse_count, 1],
    ['per_event', () => PER_EVENT, undefined, 1],
    ['drop_all_cpus', () => DROP, undefined, allCpus],
    ['parse_count_all_cpus', (map) => PARSE_COUNT(map), undefined, allCpus],
    ['drop_all_cpus_threads', () => DROP, undefined, allCpus, true],
    ['parse_count_all_cpus_threads', (map) => PARSE_COUNT(map), undefined, allCpus, true],
    ['drop_all_cpus_threads_only', () => DROP, undefined, allCpus, { helpOnMain: false }],
    ['parse_count_all_cpus_threads_only', (map) => PARSE_COUNT(map), undefined, allCpus, { helpOnMain: false }],
  ]) {
    if (only && only !== name) continue;
    const { kernel, sim, eth0, directory, events } = await setup(cpus, threads);
    const map = directory.create({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 1024, map_name: 'by_src' });
    const { program } = await kernel.load({ prog_type: 'xdp', license: 'GPL', insns: assemble(text(map)) });
    sim.links.create({ prog_id: program.id, attach_type: 'xdp', target_ifindex: eth0.ifindex });
    let figures;
    let started = 0;
    let batches;
    try {
      figures = measure(sim, events, method);
      started = kernel.threads?.started ?? 0;
      batches = kernel.threads?.batches;
    } finally {
      await kernel.threads?.close();
    }
    const { median: pps, best, cpu } = figures;
    // Helping, main runs one CPU's batch of each round itself, so one thread fewer than CPUs is started.
    const expected = threads === true ? cpus - 1 : cpus;
    if (threads && started !== expected) throw new Error(`${name}: ${started} CPU threads ran, not ${expected}`);
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
      threads: threads ? cpus : 1,
      ...(threads && { help_on_main: threads === true }),
      ...(batches && { batches_on_threads: batches.onThreads, batches_on_main: batches.onMain }),
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
  const ratio = (program, suffix = '', figure = 'mpps') => {
    const one = cases.find((c) => c.program === `${program}_all_cpus`);
    const threaded = cases.find((c) => c.program === `${program}_all_cpus_threads${suffix}`);
    return one && threaded ? threaded[figure] / one[figure] : null;
  };
  return {
    cpus: 1,
    all_cpus: allCpus,
    host_cores: os.cpus().length,
    load_average: os.loadavg()[0],
    frames_per_fire: FRAMES,
    frame_bytes: 64,
    method,
    cases,
    batching_speedup: drop && perEvent ? drop.mpps / perEvent.mpps : null,
    threads_speedup: { drop: ratio('drop'), parse_count: ratio('parse_count'), drop_threads_only: ratio('drop', '_only'), parse_count_threads_only: ratio('parse_count', '_only') },
    // Packets per CPU-second (the threads' time included) with threads / without: what the threads cost in work.
    threads_cpu_efficiency: { drop: ratio('drop', '', 'cpu_mpps'), parse_count: ratio('parse_count', '', 'cpu_mpps') },
  };
}

/** The table lines for bench/run.mjs. */
export function formatXdpBench(report) {
  const lines = [`\nkernel-sim XDP hook (Hooks.fire of ${report.frames_per_fire} frames of ${report.frame_bytes} bytes; median of ${report.method.rounds} rounds); one CPU:`];
  for (const c of report.cases) {
    if (c.cpus > 1 && c.threads === 1 && !lines.some((l) => l.includes('ONE JavaScript thread'))) {
      lines.push(`  all ${c.cpus} simulated CPUs (eth0 with ${c.cpus} queues, RSS), the CPUs one after another on ONE JavaScript thread:`);
    }
    if (c.threads > 1 && !lines.some((l) => l.includes('on worker threads'))) {
      lines.push(
        `  all ${c.cpus} simulated CPUs on worker threads (cpuThreads; _threads: main runs one CPU's batch per round and takes back unclaimed ones; _threads_only: every batch on its CPU's thread; host: ${report.host_cores} cores, load average ${report.load_average.toFixed(1)} — other work on them makes these noisy):`,
      );
    }
    const target = c.target_mpps === undefined ? '' : `  target ≥${c.target_mpps} Mpps ${c.meets_target ? 'ok' : 'MISS'}`;
    const split = c.batches_on_threads === undefined ? '' : `  batches: ${c.batches_on_threads} on threads, ${c.batches_on_main} on main`;
    lines.push(
      `  ${c.program.padEnd(34)} ${c.mpps.toFixed(2).padStart(6)} Mpps (best round ${c.best_mpps.toFixed(2)}, per CPU-second ${c.cpu_mpps.toFixed(2)})  ${c.ns_per_packet.toFixed(1).padStart(7)} ns/packet  ${c.batched ? 'batched' : 'one run per frame'}${target}${split}`,
    );
  }
  if (report.batching_speedup !== null) lines.push(`  batching: ${report.batching_speedup.toFixed(1)}× the per-frame runs`);
  const { drop, parse_count: parseCount, drop_threads_only: dropOnly, parse_count_threads_only: parseOnly } = report.threads_speedup;
  if ([drop, parseCount, dropOnly, parseOnly].some((r) => r !== null)) {
    const x = (r) => (r === null ? 'n/a' : `${r.toFixed(2)}×`);
    const efficiency = report.threads_cpu_efficiency;
    lines.push(
      `  worker threads vs one thread, all ${report.all_cpus} CPUs, this run: drop ${x(drop)} (threads only ${x(dropOnly)}), parse_count ${x(parseCount)} (threads only ${x(parseOnly)}); per CPU-second drop ${x(efficiency.drop)}, parse_count ${x(efficiency.parse_count)}`,
      '  (on a machine shared with other work, more threads also get the process a larger share of the cores: read the wall-clock ratios with the per-CPU-second ones)',
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const report = await runXdpBench({ quick: argv.includes('--quick') });
  console.log(argv.includes('--json') ? JSON.stringify(report, null, 2) : formatXdpBench(report));
}
