import { AttachType, attachTypeName } from '@bpfhive/uapi';
import { type FiveTuple, type FuncEntryEvent, type Packet, decodeSockaddr, tupleOf } from '../../world/index.js';
import { buildSockAddr } from '../contexts/sock-addr.js';
import type { Kernel } from '../kernel.js';
import { ROOT_CGROUP } from '../links/attach-cgroup.js';
import { type HookKey, HookKeys, type HookPoints } from '../links/hook-points.js';
import type { BpfLink } from '../links/link.js';
import { HookCounters } from './counters.js';
import type { FlowLog } from './flow-log.js';
import { runOnSkb } from './skb-run.js';
import type { TaskCache } from './tasks.js';
import type { SimWorld } from './world.js';

const AF_INET = 2;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const SOCK_STREAM = 1;

/** The cgroup hooks that fire in the simulated world, by the kernel function they fire in (sock_addr). */
const SOCK_ADDR_HOOKS: Readonly<Record<string, readonly [v4: number, v6: number]>> = {
  __sys_connect: [AttachType.CGROUP_INET4_CONNECT, AttachType.CGROUP_INET6_CONNECT],
  __sys_bind: [AttachType.CGROUP_INET4_BIND, AttachType.CGROUP_INET6_BIND],
};

export interface CgroupDeps {
  readonly kernel: Kernel;
  readonly points: HookPoints;
  readonly world: SimWorld;
  readonly counters: HookCounters;
  readonly flowLog: FlowLog;
  readonly tasks: TaskCache;
}

/**
 * The cgroup hooks (kernel/bpf/cgroup.c): a task in cgroup X runs X's programs for the attach
 * type, then the root's (bpfhive's cgroups are flat), and the verdict is "allow" only when every
 * program returns a value with bit 0 set.
 *
 * - cgroup_skb ingress: a frame going up the stack to a socket runs the programs of the cgroup of
 *   the task that owns the socket bound to its destination port (none: no socket, no programs).
 *   DENY drops the frame before the socket.
 * - cgroup_skb egress: a frame a task sends runs its cgroup's programs; DENY drops it.
 * - sock_addr: connect and bind run the connect4/6 and bind4/6 programs with the address in a
 *   bpf_sock_addr. The world has made the call already, so the verdict is counted, not applied.
 */
export class CgroupHooks {
  #version = -1;
  #ingress = false;
  #egress = false;

  constructor(private readonly deps: CgroupDeps) {}

  /** The links a task in cgroup `cgroupId` runs for `attachType`, in order. */
  effective(cgroupId: bigint, attachType: number): BpfLink[] {
    const own = this.deps.points.list(HookKeys.cgroup(cgroupId, attachType));
    return cgroupId === ROOT_CGROUP ? [...own] : [...own, ...this.deps.points.list(HookKeys.cgroup(ROOT_CGROUP, attachType))];
  }

  #refresh(): void {
    if (this.#version === this.deps.points.version) return;
    this.#version = this.deps.points.version;
    const keys = [...this.deps.points.keys()];
    const has = (attachType: number): boolean => keys.some((k: HookKey) => k.startsWith('cgroup:') && k.endsWith(`:${attachType}`));
    this.#ingress = has(AttachType.CGROUP_INET_INGRESS);
    this.#egress = has(AttachType.CGROUP_INET_EGRESS);
  }

  /** cgroup_skb/ingress for `packet` going up the stack: false when a program dropped it. */
  ingress(packet: Packet): boolean {
    this.#refresh();
    if (!this.#ingress) return true;
    const tuple = tupleOf(packet.frame);
    const owner = tuple && this.#socketOwner(tuple);
    if (owner === undefined) return true;
    return this.#skb(packet, owner, AttachType.CGROUP_INET_INGRESS, 'cgroup_skb_ingress', packet.ifindex);
  }

  /** cgroup_skb/egress for `packet` sent by a task of cgroup `cgroupId`: false when a program dropped it. */
  egress(packet: Packet, cgroupId: bigint): boolean {
    this.#refresh();
    if (!this.#egress) return true;
    return this.#skb(packet, cgroupId, AttachType.CGROUP_INET_EGRESS, 'cgroup_skb_egress', 0);
  }

  #skb(packet: Packet, cgroupId: bigint, attachType: number, hook: 'cgroup_skb_ingress' | 'cgroup_skb_egress', ingressIfindex: number): boolean {
    const links = this.effective(cgroupId, attachType);
    if (links.length === 0) return true;
    const device = this.deps.world.devices.get(packet.ifindex);
    if (!device) return true;
    const counter = this.deps.counters.of(hook, `cgroup ${cgroupId}`);
    let allowed = true;
    let decider = links[0]!.program.id;
    try {
      const { verdicts } = runOnSkb(this.deps.kernel, links.map((l) => l.program), packet, device, { l2: false, ingressIfindex }, () => false);
      counter.runs += verdicts.length;
      const denied = verdicts.find((v) => (v.ret & 1) === 0);
      if (denied) {
        allowed = false;
        decider = denied.program.id;
      }
    } catch (e) {
      HookCounters.error(counter, e);
      allowed = false;
    }
    HookCounters.action(counter, allowed ? 'ALLOW' : 'DENY');
    if (!allowed) {
      const tuple = tupleOf(packet.frame);
      this.deps.flowLog.add({ time: packet.time, ifindex: packet.ifindex, queue: packet.queue, cpu: packet.cpu, hook, progId: decider, action: 'DENY', len: packet.frame.length, ...(tuple && { tuple }) });
    }
    return allowed;
  }

  /** The cgroup of the task whose socket is bound to the flow's destination port and protocol. */
  #socketOwner(tuple: FiveTuple): bigint | undefined {
    const type = tuple.proto === IPPROTO_TCP ? SOCK_STREAM : tuple.proto === IPPROTO_UDP ? 2 : 0;
    for (const task of this.deps.world.processes.tasks.list()) {
      for (const fd of task.fds.values()) {
        if (fd.kind === 'socket' && fd.type === type && fd.local?.port === tuple.dport && (fd.local.address === tuple.dst || fd.local.address === '0.0.0.0' || fd.local.address === '::')) {
          return task.cgroupId;
        }
      }
    }
    return undefined;
  }

  /** connect / bind: the sock_addr programs of the calling task's cgroup, at `event` (the entry of __sys_connect or __sys_bind). */
  sockAddr(event: FuncEntryEvent): void {
    const hooks = SOCK_ADDR_HOOKS[event.func];
    if (!hooks) return;
    const [fd, uaddr, addrlen] = event.args;
    const bytes = this.deps.kernel.arena.bytes.subarray(Number(uaddr), Number(uaddr) + Number(addrlen ?? 0n));
    let address;
    try {
      address = decodeSockaddr(bytes);
    } catch {
      return;
    }
    const attachType = address.family === 4 ? hooks[0] : hooks[1];
    const links = this.effective(event.task.cgroupId, attachType);
    if (links.length === 0) return;
    const task = this.deps.world.processes.tasks.has(event.task.pid) ? this.deps.world.processes.tasks.get(event.task.pid) : undefined;
    const socket = task?.fds.get(Number(fd));
    const type = socket?.kind === 'socket' ? socket.type : SOCK_STREAM;
    const counter = this.deps.counters.of('sock_addr', `cgroup ${event.task.cgroupId} ${attachTypeName(attachType) ?? attachType}`);
    const kernel = this.deps.kernel;
    const ip = address.family === 4 ? bytes.slice(4, 8) : bytes.slice(8, 24);
    const ctx = buildSockAddr(kernel.arena, { family: address.family === 4 ? AF_INET : 10, type, protocol: type === SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP, ip, port: address.port });
    let allowed = true;
    try {
      const cpu = kernel.cpus[event.cpu % kernel.cpus.length]!;
      for (const link of links) {
        counter.runs++;
        if ((kernel.run(link.program, cpu, ctx.address, { task: this.deps.tasks.of(event.task) }).r0 & 1n) === 0n) allowed = false;
      }
    } catch (e) {
      HookCounters.error(counter, e);
      allowed = false;
    } finally {
      ctx.free();
    }
    HookCounters.action(counter, allowed ? 'ALLOW' : 'DENY');
  }
}
