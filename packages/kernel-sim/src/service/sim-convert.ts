import {
  BpfError,
  type FlowLogRecord,
  type SimDevCreateRequest,
  type SimDevInfoReply,
  type SimProcSpawnRequest,
  type SimSyscallRequest,
  type SimTaskInfo,
  type SimTrafficStartRequest,
} from '@bpfhive/uapi';
import { type HookFlowRecord, formatHookFlowRecord } from '../core/hooks/flow-log.js';
import type { HookCounter } from '../core/hooks/counters.js';
import { HookKeys, type HookPoints } from '../core/links/hook-points.js';
import { AF_INET6, type Descriptor, type DeviceSpec, type NetDevice, type PortSpec, type QueueCounters, type SizeSpec, type SyscallRequest, type Task, type TaskSpec, type TrafficSpec } from '../world/index.js';

/**
 * Between the `bpf.v1.sim.>` wire (uapi's sim schemas, snake_case) and the world's types. Requests
 * arrive validated against their schemas; what the schemas cannot say (a syscall's required
 * fields) is checked here, EINVAL.
 */

/** A device's counters as the wire names them. */
export function wireStats(c: QueueCounters) {
  return {
    rx_packets: c.rxPackets, rx_bytes: c.rxBytes, rx_dropped: c.rxDropped, tx_packets: c.txPackets, tx_bytes: c.txBytes, tx_dropped: c.txDropped,
    xdp_pass: c.xdpPass, xdp_drop: c.xdpDrop, xdp_tx: c.xdpTx, xdp_redirect: c.xdpRedirect, xdp_aborted: c.xdpAborted,
  };
}

/** A device with the links on its XDP and TC hooks. */
export function wireDevice(dev: NetDevice, points: HookPoints): SimDevInfoReply {
  const info = dev.describe();
  const attached = (direction: 'ingress' | 'egress') => points.list(HookKeys.tc(dev.ifindex, direction)).map((l) => ({ link_id: l.id, prog_id: l.program.id }));
  const drv = points.list(HookKeys.xdp(dev.ifindex, 'drv'))[0];
  const xdp = drv ?? points.list(HookKeys.xdp(dev.ifindex, 'skb'))[0];
  return {
    ifindex: info.ifindex, name: info.name, kind: info.kind, mac: info.mac, mtu: info.mtu, up: info.up, queues: info.queues, addresses: [...info.addresses],
    ...(info.peer !== undefined && { peer: info.peer }),
    stats: wireStats(info.stats),
    ...(xdp && { xdp: { link_id: xdp.id, prog_id: xdp.program.id, mode: drv ? ('drv' as const) : ('skb' as const) } }),
    tc_ingress: attached('ingress'),
    tc_egress: attached('egress'),
  };
}

type DeviceFields = Omit<SimDevCreateRequest, 'kind' | 'peer'>;

/** A device spec from the wire's fields. */
export function deviceSpec(r: DeviceFields): DeviceSpec {
  return {
    name: r.name,
    ...(r.mac !== undefined && { mac: r.mac }),
    ...(r.mtu !== undefined && { mtu: r.mtu }),
    ...(r.queues !== undefined && { queues: r.queues }),
    ...(r.addresses !== undefined && { addresses: r.addresses }),
    ...(r.up !== undefined && { up: r.up }),
  };
}

/** The wire's sizes: a number (fixed), "imix", [min, max] (uniform) or [[bytes, weight], ...]. */
function sizeSpec(sizes: SimTrafficStartRequest['sizes']): SizeSpec | undefined {
  if (sizes === undefined) return undefined;
  if (typeof sizes === 'number') return { kind: 'fixed', bytes: sizes };
  if (sizes === 'imix') return { kind: 'imix' };
  if (Array.isArray(sizes[0])) return { kind: 'weighted', sizes: (sizes as number[][]).map(([b, w]) => [b!, w!] as const) };
  const [min, max] = sizes as number[];
  return { kind: 'uniform', min: min!, max: max! };
}

const ports = (p: unknown): PortSpec | undefined => p as PortSpec | undefined;

/** The generator's spec from a traffic.start request, starting at virtual time `start`. */
export function trafficSpec(r: SimTrafficStartRequest, start: number): TrafficSpec {
  if (r.count === undefined && r.duration === undefined) throw new BpfError('EINVAL', 'traffic.start: give count or duration');
  const sizes = sizeSpec(r.sizes);
  const sport = ports(r.flows.sport);
  const dport = ports(r.flows.dport);
  return {
    start,
    rate: r.rate,
    ...(r.count !== undefined && { count: r.count }),
    ...(r.duration !== undefined && { duration: r.duration }),
    ...(r.seed !== undefined && { seed: r.seed }),
    ...(r.src_mac !== undefined && { srcMac: r.src_mac }),
    ...(r.dst_mac !== undefined && { dstMac: r.dst_mac }),
    ...(r.vlan !== undefined && { vlan: r.vlan }),
    flows: { src: r.flows.src, dst: r.flows.dst, ...(r.flows.count !== undefined && { count: r.flows.count }), ...(sport !== undefined && { sport }), ...(dport !== undefined && { dport }) },
    ...(r.mix && { mix: r.mix }),
    ...(sizes && { sizes }),
    ...(r.http && { http: r.http }),
  };
}

export function taskSpec(r: SimProcSpawnRequest): TaskSpec {
  return {
    pid: r.pid,
    comm: r.comm,
    ...(r.tgid !== undefined && { tgid: r.tgid }),
    ...(r.ppid !== undefined && { ppid: r.ppid }),
    ...(r.uid !== undefined && { uid: r.uid }),
    ...(r.gid !== undefined && { gid: r.gid }),
    ...(r.cgroup_id !== undefined && { cgroupId: r.cgroup_id }),
    ...(r.cpu !== undefined && { cpu: r.cpu }),
    ...(r.exe !== undefined && { exe: r.exe }),
  };
}

export function wireTask(t: Task): SimTaskInfo {
  const fds = [...t.fds.keys()].sort((a, b) => a - b);
  return { pid: t.pid, tgid: t.tgid, ppid: t.ppid, uid: t.uid, gid: t.gid, comm: t.comm, cgroup_id: Number(t.cgroupId), cpu: t.cpu, exe: t.exe, fds, sockets: fds.flatMap((fd) => wireSocket(fd, t.fds.get(fd)!)) };
}

/** `10.0.0.1:80`, `[fd00::1]:443`: how the wire writes a socket address. */
const wireEndpoint = (a: { readonly address: string; readonly port: number }): string => (a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);

/** A socket descriptor as proc.list shows it (none for a file). */
function wireSocket(fd: number, d: Descriptor): NonNullable<SimTaskInfo['sockets']> {
  if (d.kind !== 'socket') return [];
  return [{
    fd, family: d.family === AF_INET6 ? 'inet6' : 'inet', type: d.type === 2 ? 'dgram' : 'stream', listening: d.listening,
    ...(d.local && { local: wireEndpoint(d.local) }),
    ...(d.remote && { remote: wireEndpoint(d.remote) }),
  }];
}

/** The fields each system call cannot do without. */
const REQUIRED: Readonly<Record<SimSyscallRequest['syscall'], readonly (keyof SimSyscallRequest)[]>> = {
  openat: ['path'], read: ['fd'], write: ['fd'], close: ['fd'], socket: [], bind: ['fd', 'addr'], listen: ['fd'],
  connect: ['fd', 'addr'], accept: ['fd'], sendto: ['fd'], recvfrom: ['fd'], execve: ['path'], clone: [], fork: [], exit: [], exit_group: [], kill: ['target'],
};

/** The world's request from a proc.syscall request: EINVAL when a field the call needs is missing. */
export function syscallRequest(r: SimSyscallRequest): SyscallRequest {
  const missing = REQUIRED[r.syscall].filter((f) => r[f] === undefined);
  if (missing.length > 0) throw new BpfError('EINVAL', `proc.syscall: ${r.syscall} needs ${missing.join(', ')}`);
  if (r.syscall === 'clone' && typeof r.flags === 'string') throw new BpfError('EINVAL', 'proc.syscall: clone flags must be a number');
  const { pid: _pid, at: _at, ...request } = r;
  return request as SyscallRequest;
}

/** A flow log record as the wire carries it. */
export function wireFlowRecord(r: HookFlowRecord): FlowLogRecord {
  return {
    time: r.time, ifindex: r.ifindex, queue: r.queue, cpu: r.cpu, hook: r.hook,
    ...(r.progId !== undefined && { prog_id: r.progId }),
    action: r.action,
    ...(r.tuple && { tuple: { ...r.tuple } }),
    len: r.len,
    ...(r.target !== undefined && { target: r.target }),
    ...(r.error !== undefined && { error: r.error }),
    text: formatHookFlowRecord(r),
  };
}

export function wireHookCounter(c: HookCounter) {
  return { hook: c.hook, target: c.target, runs: c.runs, errors: c.errors, ...(c.lastError !== undefined && { last_error: c.lastError }), actions: Object.fromEntries(c.actions) };
}
