import { type NextStep, type Packet, type QueueCounters, TcAction, XdpAction, applyTc, applyXdp, passToStack, transmit } from '../../world/index.js';
import type { Kernel } from '../kernel.js';
import type { LoadedProgram } from '../programs/program.js';
import type { Cpu } from '../run/cpu.js';
import { HookKeys, type HookPoints } from '../links/hook-points.js';
import type { BpfLink } from '../links/link.js';
import { batchable } from './batchable.js';
import type { CgroupHooks } from './cgroup.js';
import { type HookCounter, HookCounters } from './counters.js';
import type { FlowLog } from './flow-log.js';
import { worldRedirect } from './redirect.js';
import { runOnSkb } from './skb-run.js';
import type { SimWorld } from './world.js';
import { XDP_BATCH, XDP_MAX_FRAME, type XdpResult, XdpRunner } from './xdp.js';

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
 * of XDP_BATCH, one call each, when the program may (batchable.ts). XDP_DROP is then counted per
 * queue for the whole batch and logged without parsing the frame (the world's applyXdp counts it
 * the same way, frame by frame); every other verdict goes through applyXdp.
 */
export class PacketPath {
  readonly xdp: XdpRunner;
  readonly #actions = new Uint32Array(XDP_BATCH);
  readonly #queueCounts = new Uint32Array(256);
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

  #receive(packets: readonly Packet[], hops: number): void {
    if (packets.length === 0) return;
    const { cpu, ifindex } = packets[0]!;
    let oneGroup = true;
    for (let i = 1; oneGroup && i < packets.length; i++) oneGroup = packets[i]!.cpu === cpu && packets[i]!.ifindex === ifindex;
    if (oneGroup) {
      this.#xdpGroup(packets, hops);
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

  /** The XDP link of a device: native or generic, whichever is there. */
  #xdpLink(ifindex: number): BpfLink | undefined {
    const { points } = this.deps;
    return points.list(HookKeys.xdp(ifindex, 'drv'))[0] ?? points.list(HookKeys.xdp(ifindex, 'skb'))[0];
  }

  /** Packets of one device on one CPU through its XDP hook. */
  #xdpGroup(packets: readonly Packet[], hops: number): void {
    const first = packets[0]!;
    const device = this.deps.world.devices.get(first.ifindex);
    if (!device) return;
    const link = this.#xdpLink(first.ifindex);
    if (!link) {
      for (const p of packets) this.#follow({ to: 'tc_ingress', packet: p }, hops);
      return;
    }
    const program = link.program;
    const counter = this.deps.counters.of('xdp', `ifindex ${first.ifindex}`);
    const cpu = this.deps.kernel.cpus[first.cpu % this.deps.kernel.cpus.length]!;
    let fit = packets;
    let longest = 0;
    for (let i = 0; i < packets.length; i++) longest = Math.max(longest, packets[i]!.frame.length);
    if (longest > XDP_MAX_FRAME) {
      for (const p of packets) if (p.frame.length > XDP_MAX_FRAME) this.#verdict(p, program, counter, hops, () => tooLong(p));
      fit = packets.filter((p) => p.frame.length <= XDP_MAX_FRAME);
    }
    if (!batchable(program)) {
      for (const p of fit) this.#verdict(p, program, counter, hops, () => this.xdp.runOne(program, cpu, p));
      return;
    }
    for (let from = 0; from < fit.length; from += XDP_BATCH) {
      const count = Math.min(XDP_BATCH, fit.length - from);
      try {
        this.xdp.runBatch(program, cpu, fit, from, count, this.#actions);
      } catch (e) {
        for (let i = 0; i < count; i++) this.#verdict(fit[from + i]!, program, counter, hops, () => failed(e, counter, fit[from + i]!), true);
        counter.runs += count;
        continue;
      }
      this.#batchVerdicts(fit, from, count, program, device.queues, counter, cpu, hops);
    }
  }

  /** Applies the actions of one batch (frames of one device): XDP_DROP counted in bulk, the rest through applyXdp. */
  #batchVerdicts(packets: readonly Packet[], from: number, count: number, program: LoadedProgram, queues: readonly QueueCounters[], counter: HookCounter, cpu: Cpu, hops: number): void {
    const { flowLog } = this.deps;
    const progId = program.id;
    const actions = this.#actions;
    const dropsByQueue = this.#dropsByQueue(queues.length);
    let drops = 0;
    let run = from;
    counter.runs += count;
    for (let i = 0; i < count; i++) {
      const p = packets[from + i]!;
      const action = actions[i]!;
      if (action === XdpAction.DROP) {
        dropsByQueue[p.queue < queues.length ? p.queue : 0]!++;
        drops++;
      } else {
        flowLog.xdpDrops(packets, run, from + i - run, progId);
        run = from + i + 1;
        const frame = this.xdp.batchFrame(cpu, i);
        this.#verdict(p, program, counter, hops, () => ({ action, frame }), true);
      }
    }
    flowLog.xdpDrops(packets, run, from + count - run, progId);
    if (drops === 0) return;
    HookCounters.action(counter, 'XDP_DROP', drops);
    for (let q = 0; q < queues.length; q++) if (dropsByQueue[q]! > 0) countXdpDrops(queues[q]!, dropsByQueue[q]!);
  }

  /** Zeroed per-queue counts for one batch (a device has at most 256 queues). */
  #dropsByQueue(queues: number): Uint32Array {
    const counts = this.#queueCounts.subarray(0, queues);
    counts.fill(0);
    return counts;
  }

  /** One frame's XDP verdict through applyXdp, then onwards. `run` gives the program's result; `counted`: its run is counted already. */
  #verdict(packet: Packet, program: LoadedProgram, counter: HookCounter, hops: number, run: () => XdpResult & { error?: string }, counted = false): void {
    if (!counted) counter.runs++;
    let result: XdpResult & { error?: string };
    try {
      result = run();
    } catch (e) {
      result = failed(e, counter, packet);
    }
    if (result.action === XdpAction.DROP && !result.error) {
      countXdpDrops(this.deps.world.devices.resolve(packet.ifindex).queue(packet.queue), 1);
      this.deps.flowLog.xdpDrops([packet], 0, 1, program.id);
      HookCounters.action(counter, 'XDP_DROP');
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
