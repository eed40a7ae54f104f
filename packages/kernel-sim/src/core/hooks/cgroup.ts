import { AttachType, attachTypeName } from '@bpfhive/uapi';
import { type FiveTuple, type Packet, type SockAddrCall, type SockAddrHook, type SockAddrPoint, type SockAddrVerdict, formatIp, ipBytes, tupleOf } from '../../world/index.js';
import { buildSockAddr, readSockAddrSource, readSockAddrTarget } from '../contexts/sock-addr.js';
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
const AF_INET6 = 10;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const SOCK_STREAM = 1;

/** The sock_addr attach types of each system call that runs them: [IPv4, IPv6]. */
const SOCK_ADDR_HOOKS: Readonly<Record<SockAddrPoint, readonly [v4: number, v6: number]>> = {
  connect: [AttachType.CGROUP_INET4_CONNECT, AttachType.CGROUP_INET6_CONNECT],
  bind: [AttachType.CGROUP_INET4_BIND, AttachType.CGROUP_INET6_BIND],
  sendmsg: [AttachType.CGROUP_UDP4_SENDMSG, AttachType.CGROUP_UDP6_SENDMSG],
  recvmsg: [AttachType.CGROUP_UDP4_RECVMSG, AttachType.CGROUP_UDP6_RECVMSG],
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
 * - sock_addr (the world's SockAddrHook, called inside connect, bind, an unconnected UDP sendto
 *   and a UDP recvfrom where Linux runs __cgroup_bpf_run_filter_sock_addr): the connect4/6,
 *   bind4/6, udp4/6_sendmsg or udp4/6_recvmsg programs run in order on one bpf_sock_addr, each
 *   seeing what the previous wrote to user_ip4/user_ip6/user_port (and for sendmsg
 *   msg_src_ip4/6); any program returning 0 makes the call fail with EPERM (the others still
 *   run, as bpf_prog_run_array_cg runs them all), else the call goes on with the address they
 *   left (recvmsg programs must return 1: the verifier sees to it).
 *   (bind's bit 1, BPF_RET_BIND_NO_CAP_NET_BIND_SERVICE, changes nothing: the world has no
 *   privileged ports.) They run as the call is made, so before the tracing programs of that
 *   call's events (a kprobe on __sys_connect), which run when its batch is fired.
 */
export class CgroupHooks implements SockAddrHook {
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

  /**
   * connect / bind / sendmsg / recvmsg: the sock_addr programs of the calling task's cgroup; their
   * verdict and the address the call goes on with (for sendmsg also the source address).
   */
  sockAddr(call: SockAddrCall): SockAddrVerdict {
    const [v4, v6] = SOCK_ADDR_HOOKS[call.point];
    const isV4 = call.address.family === 4;
    const attachType = isV4 ? v4 : v6;
    const links = this.effective(call.task.cgroupId, attachType);
    if (links.length === 0) return { allowed: true, address: call.address, ...(call.source !== undefined && { source: call.source }) };
    // Mid-call, outside a batch: the kernel objects (task_struct…) follow the world first.
    this.deps.world.syncObjects();
    const counter = this.deps.counters.of('sock_addr', `cgroup ${call.task.cgroupId} ${attachTypeName(attachType) ?? attachType}`);
    const kernel = this.deps.kernel;
    const ctx = buildSockAddr(kernel.arena, {
      family: isV4 ? AF_INET : AF_INET6, type: call.type, protocol: call.type === SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP,
      ip: ipBytes(call.address.address), port: call.address.port,
      ...(call.source !== undefined && { msgSrcIp: ipBytes(call.source) }),
    });
    let allowed = true;
    let address = call.address;
    let source = call.source;
    try {
      const cpu = kernel.cpus[call.cpu % kernel.cpus.length]!;
      const task = this.deps.tasks.of(call.task);
      for (const link of links) {
        counter.runs++;
        if ((kernel.run(link.program, cpu, ctx.address, { task }).r0 & 1n) === 0n) allowed = false;
      }
      const target = readSockAddrTarget(ctx.bytes, isV4);
      address = { family: call.address.family, address: formatIp(target.ip), port: target.port };
      if (source !== undefined) source = formatIp(readSockAddrSource(ctx.bytes, isV4));
    } catch (e) {
      HookCounters.error(counter, e);
      allowed = false;
    } finally {
      ctx.free();
    }
    HookCounters.action(counter, allowed ? 'ALLOW' : 'DENY');
    return { allowed, address, ...(source !== undefined && { source }) };
  }
}
