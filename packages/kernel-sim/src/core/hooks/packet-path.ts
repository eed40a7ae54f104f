import { type NextStep, type Packet, type QueueCounters, TcAction, XdpAction, applyTc, applyXdp, passToStack, transmit } from '../../world/index.js';
import type { Kernel } from '../kernel.js';
import type { LoadedProgram } from '../programs/program.js';
import type { Cpu } from '../run/cpu.js';
import { runsOnThread } from '../workers/worker-safe.js';
import { HookKeys, type HookPoints } from '../links/hook-points.js';
import type { BpfLink } from '../links/link.js';
import { batchable } from './batchable.js';
import type { CgroupHooks } from './cgroup.js';
import { type HookCounter, HookCounters } from './counters.js';
import type { FlowLog } from './flow-log.js';
import { worldRedirect } from './redirect.js';
import { runOnSkb } from './skb-run.js';
import type { SimWorld } from './world.js';
import { XDP_BATCH, XDP_MAX_FRAME, XDP_QUEUE_BUCKETS, type XdpResult, XdpRunner } from './xdp.js';

/** Where frames an XDP program sent to an AF_XDP socket go (user space). */
export type XskOutput = (ifindex: number, queue: number, frame: Uint8Array) => void;

export interface PacketPathDeps {
  readonly kernel: Kernel;
  readonly points: HookPoints;
  readonly world: SimWorld;
  readonly cgroups: CgroupHooks;
  readonly counters: HookCounters;
  readonly flowLog: FlowLog;
  readonly xsk: XskOutput;
}

/** How many devices a frame may pass through (veth to veth, lo to itself) before it is dropped. */
export const MAX_HOPS = 8;

/** CPU numbers up to which #receive groups frames in an array (beyond: a map). */
const MAX_INDEXED_CPUS = 1024;

/** TCX's "run the next program" (TCX_NEXT, TC_ACT_UNSPEC). */
const TCX_NEXT = -1;
/** The verdicts a TCX chain ends on; any other value means "next program", and after the last one "go on". */
const TCX_FINAL = new Set<number>([TcAction.OK, TcAction.SHOT, TcAction.REDIRECT]);

interface Hop {
  readonly packet: Packet;
  readonly hops: number;
}

/**
 * The network path, as Linux walks it: a frame arriving on a device runs the device's XDP
 * program; PASS goes to TC ingress, then (cgroup skb ingress allowing) up the stack; TX and
 * redirects go out of a device, through TC egress unless XDP sent them; a veth's peer or lo
 * receives what was sent, at its XDP hook again. The world's verdict functions (applyXdp,
 * applyTc, passToStack, transmit) move the counters and say where a frame goes; this class runs
 * the programs in between and keeps the flow log.
 *
 * Hot path: the frames of a batch that arrive on one device and CPU run its XDP program in batches
 * of XDP_BATCH, one call each, when the program may (batchable.ts); the others run once per frame.
 * Either way a run of consecutive XDP_DROPs is counted in bulk and logged as one flow log entry
 * without parsing the frames (the world's applyXdp counts the same, frame by frame); every other
 * verdict goes through applyXdp, in frame order.
 */
export class PacketPath {
  readonly xdp: XdpRunner;
  readonly #actions = new Uint32Array(XDP_BATCH);
  readonly #links = new Map<number, BpfLink | undefined>();
  #linksVersion = -1;
  readonly #xdpCounters = new Map<number, HookCounter>();
  #pending: Hop[] = [];

  constructor(private readonly deps: PacketPathDeps) {
    this.xdp = new XdpRunner(deps.kernel);
  }

  /** Frames arriving on devices (each packet names its device, queue and CPU), then whatever they lead to. */
  receive(packets: readonly Packet[]): void {
    this.#receive(packets, 0);
    while (this.#pending.length > 0) {
      const hops = this.#pending;
      this.#pending = [];
      for (const hop of hops) this.#receive([hop.packet], hop.hops);
    }
  }

  /** A frame a task of cgroup `cgroupId` (if given) sends out of `packet.ifindex`: cgroup skb egress, TC egress, the device. */
  send(packet: Packet, cgroupId?: bigint): void {
    if (cgroupId !== undefined && !this.deps.cgroups.egress(packet, cgroupId)) return;
    this.#follow({ to: 'tc_egress', packet }, 0);
    this.receive([]);
  }

  /** Packets through the XDP hooks, grouped by device and CPU (groups in order of their first packet). */
  #receive(packets: readonly Packet[], hops: number): void {
    if (packets.length === 0) return;
    const { cpu, ifindex } = packets[0]!;
    let oneCpu = true;
    let oneDevice = true;
    let smallCpus = true;
    // The longest frame too, for #xdpGroup: one pass over the frames.
    let longest = 0;
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      if (p.cpu !== cpu) oneCpu = false;
      if (p.ifindex !== ifindex) oneDevice = false;
      if (!(p.cpu >= 0 && p.cpu < MAX_INDEXED_CPUS && (p.cpu | 0) === p.cpu)) smallCpus = false;
      const length = p.frame.length;
      if (length > longest) longest = length;
    }
    if (oneCpu && oneDevice) {
      this.#xdpGroup(packets, hops, longest);
      return;
    }
    if (oneDevice && smallCpus) {
      // The common case of a multi-queue device: groups by CPU in an array, no map lookup per frame.
      const byCpu: Packet[][] = [];
      const order: number[] = [];
      for (const p of packets) {
        let group = byCpu[p.cpu];
        if (!group) {
          byCpu[p.cpu] = group = [];
          order.push(p.cpu);
        }
        group.push(p);
      }
      if (order.length > 1 && this.#xdpOnThreads(order.map((c) => byCpu[c]!), hops, longest)) return;
      for (const c of order) this.#xdpGroup(byCpu[c]!, hops);
      return;
    }
    const groups = new Map<number, Packet[]>();
    for (const p of packets) {
      const key = p.cpu * 0x100000 + p.ifindex;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push(p);
    }
    for (const group of groups.values()) this.#xdpGroup(group, hops);
  }

  /**
   * The XDP link of a device: native or generic, whichever is there. Remembered per device until
   * the hook points change (their version), and the device's XDP counter for good (counters are
   * never dropped): building the keys and hashing them cost more per batch than the rest of it.
   */
  #xdpLink(ifindex: number): BpfLink | undefined {
    const { points } = this.deps;
    if (points.version !== this.#linksVersion) {
      this.#links.clear();
      this.#linksVersion = points.version;
    }
    let link = this.#links.get(ifindex);
    if (link === undefined && !this.#links.has(ifindex)) {
      link = points.list(HookKeys.xdp(ifindex, 'drv'))[0] ?? points.list(HookKeys.xdp(ifindex, 'skb'))[0];
      this.#links.set(ifindex, link);
    }
    return link;
  }

  /** The XDP hook counter of device `ifindex`. */
  #xdpCounter(ifindex: number): HookCounter {
    let counter = this.#xdpCounters.get(ifindex);
    if (!counter) this.#xdpCounters.set(ifindex, (counter = this.deps.counters.of('xdp', `ifindex ${ifindex}`)));
    return counter;
  }

  /** Packets of one device on one CPU through its XDP hook; `longest`: their longest frame, when the caller knows it. */
  #xdpGroup(packets: readonly Packet[], hops: number, longest = longestFrame(packets)): void {
    if (!this.#xdpOnThreads([packets], hops, longest)) this.#xdpOnMain(packets, hops, longest);
  }

  /** #xdpGroup on this thread: in batches when the program may run in batches, else frame by frame. */
  #xdpOnMain(packets: readonly Packet[], hops: number, longest: number): void {
    const first = packets[0]!;
    const device = this.deps.world.devices.get(first.ifindex);
    if (!device) return;
    const link = this.#xdpLink(first.ifindex);
    if (!link) {
      for (const p of packets) this.#follow({ to: 'tc_ingress', packet: p }, hops);
      return;
    }
    const program = link.program;
    const counter = this.#xdpCounter(first.ifindex);
    const cpu = this.deps.kernel.cpus[first.cpu % this.deps.kernel.cpus.length]!;
    let fit = packets;
    if (longest > XDP_MAX_FRAME) {
      for (const p of packets) {
        if (p.frame.length <= XDP_MAX_FRAME) continue;
        counter.runs++;
        this.#verdict(p, program, counter, hops, tooLong(p));
      }
      fit = packets.filter((p) => p.frame.length <= XDP_MAX_FRAME);
    }
    if (!batchable(program)) {
      this.#perFrame(fit, program, device.queues, counter, cpu, hops);
      return;
    }
    for (let from = 0; from < fit.length; from += XDP_BATCH) {
      const count = Math.min(XDP_BATCH, fit.length - from);
      counter.runs += count;
      try {
        this.xdp.runBatch(program, cpu, fit, from, count, this.#actions);
      } catch (e) {
        for (let i = from; i < from + count; i++) this.#verdict(fit[i]!, program, counter, hops, failed(e, counter, fit[i]!));
        continue;
      }
      this.#batchVerdicts(fit, from, count, program, device.queues, counter, cpu, hops);
    }
  }

  /**
   * Packets of one device, a group per CPU, through its XDP hook on the CPUs' worker threads
   * (Kernel.runBatches), when the kernel has them and the device's program may run there
   * (workers/worker-safe.ts); false, having done nothing, otherwise. In rounds: each CPU's next
   * XDP_BATCH frames run at once, one batch per CPU, then their verdicts are applied CPU by CPU,
   * in frame order, as #xdpGroup applies them. Main copies a CPU's frames in just before its
   * batch is handed over (the first CPUs' batches run while it copies the next ones), and the
   * XDP_DROPs are counted where the batch ran (a summary, workers/batch-summary.ts): main reads
   * only the other verdicts, and adds the drops to the counters and the flow log in bulk. So the
   * counters, the flow log records and the programs' map updates are those of the one-thread
   * path; what differs is only the order of events across CPUs (a CPU's later batch may run
   * before another CPU's verdicts went up the stack), as on a machine whose CPUs run at once.
   * When no batch would go to a thread (CpuThreads.handsOver: helping, the threads rest), the
   * lanes run as #xdpOnMain runs them.
   */
  #xdpOnThreads(groups: readonly (readonly Packet[])[], hops: number, longest = Infinity): boolean {
    const { kernel, world } = this.deps;
    if (!kernel.threads) return false;
    const first = groups[0]![0]!;
    const device = world.devices.get(first.ifindex);
    const link = device && this.#xdpLink(first.ifindex);
    if (!device || !link || !runsOnThread(link.program)) return false;
    const program = link.program;
    const counter = this.#xdpCounter(first.ifindex);
    const lanes = this.#lanes(groups, program, counter, hops, longest);
    const cpus = [...lanes.keys()];
    let batches = 0;
    for (const lane of lanes.values()) batches += Math.ceil(lane.length / XDP_BATCH);
    if (!kernel.threads.handsOver(cpus, batches)) {
      // Every batch would run here (the threads rest, or main runs the only one): as one thread runs them.
      for (const lane of lanes.values()) if (lane.length > 0) this.#xdpOnMain(lane, hops, 0);
      return true;
    }
    const queues = device.queues;
    // Drops counted per queue where the batch runs, when the device has few enough queues; else here, frame by frame.
    const bucketed = queues.length <= XDP_QUEUE_BUCKETS;
    for (let from = 0; ; from += XDP_BATCH) {
      const active = cpus.filter((cpu) => lanes.get(cpu)!.length > from);
      if (active.length === 0) break;
      const round = active.map((cpu) => {
        const lane = lanes.get(cpu)!;
        const count = Math.min(XDP_BATCH, lane.length - from);
        counter.runs += count;
        return { program, cpu, ...this.xdp.layBatch(cpu, lane, from, count, bucketed ? queues.length : 0) };
      });
      const errors = kernel.runBatches(round);
      round.forEach(({ cpu, batch }, k) => {
        const lane = lanes.get(cpu)!;
        const error = errors[k];
        if (error) {
          for (let i = from; i < from + batch.count; i++) this.#verdict(lane[i]!, program, counter, hops, failed(error, counter, lane[i]!));
          return;
        }
        this.#summaryVerdicts(lane, from, batch.count, program, queues, bucketed, counter, cpu, hops);
      });
    }
    return true;
  }

  /**
   * One lane of frames per simulated CPU (packets name CPUs beyond the kernel's modulo their
   * number): the groups themselves when each has a CPU of its own and no frame is too long
   * (`longest`, when the caller knows it); else new lanes, each too-long frame aborted on the way.
   */
  #lanes(groups: readonly (readonly Packet[])[], program: LoadedProgram, counter: HookCounter, hops: number, longest: number): Map<Cpu, readonly Packet[]> {
    const cpus = this.deps.kernel.cpus;
    const lanes = new Map<Cpu, readonly Packet[]>();
    if (longest <= XDP_MAX_FRAME) {
      for (const packets of groups) lanes.set(cpus[packets[0]!.cpu % cpus.length]!, packets);
      if (lanes.size === groups.length) return lanes;
      lanes.clear();
    }
    for (const packets of groups) {
      const cpu = cpus[packets[0]!.cpu % cpus.length]!;
      let lane = lanes.get(cpu) as Packet[] | undefined;
      if (!lane) lanes.set(cpu, (lane = []));
      for (const p of packets) {
        if (p.frame.length <= XDP_MAX_FRAME) {
          lane.push(p);
          continue;
        }
        counter.runs++;
        this.#verdict(p, program, counter, hops, tooLong(p));
      }
    }
    return lanes;
  }

  /**
   * Applies the verdicts of one batch that ran with a summary (XdpRunner.layBatch, where it ran):
   * the XDP_DROPs' queue counters in bulk (`bucketed`; else frame by frame), then, in frame
   * order, the runs of XDP_DROPs between the other verdicts logged as #batchVerdicts logs them
   * and each other verdict through applyXdp. Main reads no word per dropped frame.
   */
  #summaryVerdicts(packets: readonly Packet[], from: number, count: number, program: LoadedProgram, queues: readonly QueueCounters[], bucketed: boolean, counter: HookCounter, cpu: Cpu, hops: number): void {
    const { at, list, out } = this.xdp.summaryOf(cpu);
    let u32 = this.deps.kernel.arena.u32;
    const listed = u32[at]!;
    if (bucketed) {
      for (let q = 0; q <= queues.length; q++) {
        const n = u32[at + 1 + q]!;
        // Queue numbers beyond the device's count on queue 0, as #drops counts them.
        if (n > 0) countXdpDrops(queues[q] ?? queues[0]!, n);
      }
    }
    const perFrame = bucketed ? undefined : queues;
    let run = from;
    for (let k = 0; k < listed; k++) {
      // A verdict may grow the memory (a TC program's skb): the view as it is now.
      u32 = this.deps.kernel.arena.u32;
      const i = u32[list + k]!;
      const action = u32[out + 2 * i]!;
      this.#drops(packets, run, from + i, program.id, perFrame, counter);
      run = from + i + 1;
      this.#verdict(packets[from + i]!, program, counter, hops, { action, frame: this.xdp.batchFrame(cpu, i) });
    }
    this.#drops(packets, run, from + count, program.id, perFrame, counter);
  }

  /**
   * Applies the actions of one batch (frames of one device): runs of XDP_DROPs counted and logged
   * in bulk (#drops), every other verdict through applyXdp, in frame order.
   */
  #batchVerdicts(packets: readonly Packet[], from: number, count: number, program: LoadedProgram, queues: readonly QueueCounters[], counter: HookCounter, cpu: Cpu, hops: number): void {
    const actions = this.#actions;
    let run = from;
    for (let i = 0; i < count; i++) {
      const action = actions[i]!;
      if (action === XdpAction.DROP) continue;
      this.#drops(packets, run, from + i, program.id, queues, counter);
      run = from + i + 1;
      const frame = this.xdp.batchFrame(cpu, i);
      this.#verdict(packets[from + i]!, program, counter, hops, { action, frame });
    }
    this.#drops(packets, run, from + count, program.id, queues, counter);
  }

  /**
   * Frames of a program that needs its packet in every run (batchable.ts): one run each, in order,
   * every verdict applied before the next frame runs (a PASS may run TC programs that share maps
   * with this one); XDP_DROPs are counted and logged in bulk as in a batch, which nothing can tell
   * apart (no program reads the counters or the flow log).
   */
  #perFrame(packets: readonly Packet[], program: LoadedProgram, queues: readonly QueueCounters[], counter: HookCounter, cpu: Cpu, hops: number): void {
    let run = 0;
    for (let i = 0; i < packets.length; i++) {
      const packet = packets[i]!;
      counter.runs++;
      let result: XdpResult & { error?: string };
      try {
        result = this.xdp.runOne(program, cpu, packet);
      } catch (e) {
        result = failed(e, counter, packet);
      }
      if (result.action === XdpAction.DROP && !result.error) continue;
      this.#drops(packets, run, i, program.id, queues, counter);
      run = i + 1;
      this.#verdict(packet, program, counter, hops, result);
    }
    this.#drops(packets, run, packets.length, program.id, queues, counter);
  }

  /**
   * XDP_DROP of packets[from, to) by program `progId`: the queues' counters (as the world's applyXdp
   * moves them for each; none when `queues` is undefined: counted in bulk already), the hook's
   * XDP_DROP count and one flow log entry (no record per frame).
   */
  #drops(packets: readonly Packet[], from: number, to: number, progId: number, queues: readonly QueueCounters[] | undefined, counter: HookCounter): void {
    if (to <= from) return;
    if (!queues) {
      // Counted already (a batch summary).
    } else if (queues.length === 1) countXdpDrops(queues[0]!, to - from);
    else for (let i = from; i < to; i++) countXdpDrops(queues[packets[i]!.queue] ?? queues[0]!, 1);
    HookCounters.action(counter, 'XDP_DROP', to - from);
    this.deps.flowLog.xdpDrops(packets, from, to - from, progId);
  }

  /** One frame's XDP verdict (its run counted already) through applyXdp, then onwards. */
  #verdict(packet: Packet, program: LoadedProgram, counter: HookCounter, hops: number, result: XdpResult & { error?: string }): void {
    if (result.action === XdpAction.DROP && !result.error) {
      this.#drops([packet], 0, 1, program.id, this.deps.world.devices.resolve(packet.ifindex).queues, counter);
      return;
    }
    const outcome = applyXdp(this.deps.world.devices, { ...packet, frame: result.frame }, result.action, { progId: program.id, ...withTarget(worldRedirect(program, result.redirect)) });
    HookCounters.action(counter, outcome.record.action);
    this.deps.flowLog.add(result.error ? { ...outcome.record, error: result.error } : outcome.record);
    this.#follow(outcome.next, hops);
  }

  /** Follows a frame's next steps until it is consumed; frames received again wait for the next round. */
  #follow(step: NextStep | undefined, hops: number): void {
    let next = step;
    while (next) {
      switch (next.to) {
        case 'xdp':
          if (hops + 1 >= MAX_HOPS) {
            HookCounters.action(this.deps.counters.of('net', `ifindex ${next.packet.ifindex}`), 'HOP_LIMIT');
            return;
          }
          this.#pending.push({ packet: next.packet, hops: hops + 1 });
          return;
        case 'tc_ingress':
        case 'tc_egress':
          next = this.#tc(next.packet, next.to);
          break;
        case 'stack':
          if (this.deps.cgroups.ingress(next.packet)) passToStack(this.deps.world.devices, this.deps.world.sockets, next.packet);
          return;
        case 'xsk':
          this.deps.xsk(next.packet.ifindex, next.queue, next.packet.frame);
          return;
        case 'wire':
          return;
      }
    }
  }

  /** A TC hook: its TCX programs in order (an empty hook takes the world's default step). */
  #tc(packet: Packet, hook: 'tc_ingress' | 'tc_egress'): NextStep | undefined {
    const { world, kernel, points } = this.deps;
    const direction = hook === 'tc_ingress' ? 'ingress' : 'egress';
    const links = points.list(HookKeys.tc(packet.ifindex, direction));
    if (links.length === 0) return hook === 'tc_ingress' ? { to: 'stack', packet } : transmit(world.devices, packet, packet.ifindex);
    const device = world.devices.get(packet.ifindex);
    if (!device) return undefined;
    const counter = this.deps.counters.of(hook, `ifindex ${packet.ifindex}`);
    let action: number = TcAction.SHOT;
    let frame = packet.frame;
    let progId = links[0]!.program.id;
    let target;
    try {
      const run = runOnSkb(kernel, links.map((l) => l.program), packet, device, { l2: true, ingressIfindex: hook === 'tc_ingress' ? packet.ifindex : 0 }, (ret) => ret !== TCX_NEXT);
      counter.runs += run.verdicts.length;
      const last = run.verdicts.at(-1)!;
      action = TCX_FINAL.has(last.ret) ? last.ret : TcAction.UNSPEC;
      progId = last.program.id;
      target = worldRedirect(last.program, last.redirect);
      frame = run.frame;
    } catch (e) {
      counter.runs++;
      HookCounters.error(counter, e);
    }
    const outcome = applyTc(world.devices, { ...packet, frame }, hook, action, { progId, ...withTarget(target) });
    HookCounters.action(counter, outcome.record.action);
    this.deps.flowLog.add(outcome.record);
    return outcome.next;
  }
}

/** The length of the longest frame of `packets`. */
function longestFrame(packets: readonly Packet[]): number {
  let longest = 0;
  for (let i = 0; i < packets.length; i++) longest = Math.max(longest, packets[i]!.frame.length);
  return longest;
}

/** `n` frames XDP_DROPped on a receive queue: the counters the world's applyXdp moves for each (xdp_drop, rx_dropped). */
export function countXdpDrops(queue: QueueCounters, n: number): void {
  queue.xdpDrop += n;
  queue.rxDropped += n;
}

const withTarget = <T>(target: T | undefined): { target?: T } => (target === undefined ? {} : { target });

/** A frame longer than a page: XDP aborts it (no multi-buffer frames here). */
const tooLong = (packet: Packet): XdpResult & { error: string } => ({ action: XdpAction.ABORTED, frame: packet.frame, error: 'EMSGSIZE' });

/** A batch that faulted: every frame in it counts as aborted, with the error. */
function failed(e: unknown, counter: HookCounter, packet: Packet): XdpResult & { error: string } {
  HookCounters.error(counter, e);
  return { action: XdpAction.ABORTED, frame: packet.frame, error: 'EFAULT' };
}
