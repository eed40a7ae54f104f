/**
 * Scenario files in YAML → a checked Scenario. Every error is a ScenarioError naming the line,
 * column and field. The format, by example (see packages/kernel-sim/scenarios/):
 *
 *   name: web            seed: 7            cpus: 4            end: 100ms
 *   devices:   - { name: eth0, queues: 4, addresses: [10.0.0.1/24] }
 *              - { name: veth0, kind: veth, peer: { name: veth1 } }
 *   files:     { /srv/data.txt: "hello" }
 *   traffic:   - { device: eth0, rate: 10000, duration: 50ms, flows: {...}, mix: {...}, sizes: imix, http: {...} }
 *              - { device: eth0, pcap: captures/x.pcap, rate: recorded, speed: 1, loops: 1 }
 *   processes: - { pid: 100, comm: nginx, uid: 33, gid: 33, cgroup: 4242, cpu: 0 }
 *   timeline:  - { at: 10ms, pid: 100, syscall: openat, path: /etc/shadow }
 */
import { DeviceTable } from '../net/device-table.js';
import { parseDuration } from '../time.js';
import type { PortSpec } from '../net/traffic/flows.js';
import type { HttpSpec, TrafficSpec } from '../net/traffic/generator.js';
import type { SizeSpec } from '../net/traffic/sizes.js';
import type { SyscallRequest } from '../proc/syscall-request.js';
import type { TaskSpec } from '../proc/task.js';
import type { Scenario, ScenarioDevice, ScenarioTraffic, TimelineEntry } from './types.js';
import { readYaml, type YamlValue } from './yaml-reader.js';

const TOP = ['name', 'seed', 'cpus', 'end', 'devices', 'files', 'traffic', 'processes', 'timeline'];
const DEVICE = ['name', 'kind', 'mac', 'mtu', 'queues', 'addresses', 'up', 'peer'];
const PEER = ['name', 'mac', 'mtu', 'queues', 'addresses', 'up'];
const TRAFFIC_COMMON = ['device', 'start', 'rate'];
const GENERATOR = [...TRAFFIC_COMMON, 'duration', 'count', 'seed', 'src_mac', 'dst_mac', 'vlan', 'flows', 'mix', 'sizes', 'http'];
const PCAP = [...TRAFFIC_COMMON, 'pcap', 'speed', 'loops'];
const FLOWS = ['count', 'src', 'dst', 'sport', 'dport'];
const PROCESS = ['pid', 'tgid', 'ppid', 'uid', 'gid', 'comm', 'cgroup', 'cpu', 'exe'];

/** The fields each system call takes in the timeline, besides at, pid and syscall. */
const SYSCALL_FIELDS: Readonly<Record<SyscallRequest['syscall'], readonly string[]>> = {
  openat: ['path', 'flags', 'mode', 'dfd'],
  read: ['fd', 'count'],
  write: ['fd', 'data', 'count'],
  close: ['fd'],
  socket: ['family', 'type'],
  bind: ['fd', 'addr'],
  listen: ['fd', 'backlog'],
  connect: ['fd', 'addr'],
  accept: ['fd', 'peer'],
  sendto: ['fd', 'data', 'count', 'addr'],
  recvfrom: ['fd', 'count'],
  execve: ['path', 'argv', 'envp'],
  clone: ['flags', 'child', 'cpu'],
  fork: ['child', 'cpu'],
  exit: ['code'],
  exit_group: ['code'],
  kill: ['target', 'signal'],
};

function duration(v: YamlValue): number {
  const raw = v.scalar();
  const ns = parseDuration(raw as string | number);
  return ns ?? v.fail(`expected a duration such as 10ms, 250us or 1.5s, found ${JSON.stringify(raw)}`);
}

function strList(v: YamlValue): string[] {
  return v.isList() ? v.list().map((x) => x.str()) : [v.str()];
}

function ports(v: YamlValue): PortSpec {
  if (v.isList()) return v.list().map((x) => x.int(0, 65535));
  const raw = v.scalar();
  if (typeof raw === 'number') return v.int(0, 65535);
  const m = /^(\d+)\s*-\s*(\d+)$/.exec(String(raw));
  if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) > 65535) v.fail(`expected a port, a list of ports or a range like 1024-65535, found ${JSON.stringify(raw)}`);
  return { from: Number(m[1]), to: Number(m[2]) };
}

function sizes(v: YamlValue): SizeSpec {
  if (v.isScalar()) {
    if (v.scalar() === 'imix') return { kind: 'imix' };
    return { kind: 'fixed', bytes: v.int(60, 65535) };
  }
  const [kind] = v.keys(['fixed', 'uniform', 'weighted', 'imix']);
  if (kind === 'fixed') return { kind: 'fixed', bytes: v.req('fixed').int(60, 65535) };
  if (kind === 'uniform') {
    const u: YamlValue = v.req('uniform');
    const [min, max] = u.list();
    if (!min || !max) return u.fail('expected [min, max]');
    const range = { kind: 'uniform' as const, min: min.int(60, 65535), max: max.int(60, 65535) };
    if (range.min > range.max) u.fail(`min ${range.min} is above max ${range.max}`);
    return range;
  }
  if (kind === 'weighted') {
    return {
      kind: 'weighted',
      sizes: v.req('weighted').list().map((pair: YamlValue) => {
        const [b, w] = pair.list();
        if (!b || !w) return pair.fail('expected [bytes, weight]');
        return [b.int(60, 65535), w.num()] as const;
      }),
    };
  }
  return v.fail('expected imix, a size, or one of fixed, uniform, weighted');
}

function device(v: YamlValue): ScenarioDevice {
  v.keys(DEVICE);
  const kindText = v.get('kind')?.str() ?? 'ether';
  if (kindText !== 'ether' && kindText !== 'veth') return v.req('kind').fail(`expected ether or veth, found "${kindText}"`);
  const kind: 'ether' | 'veth' = kindText;
  const peer = v.get('peer');
  if (peer && kind !== 'veth') peer.fail('only a veth has a peer');
  if (!peer && kind === 'veth') v.fail('a veth needs a peer: { name: ... }');
  const common = (x: YamlValue) => ({
    name: x.req('name').str(),
    ...(x.get('mac') ? { mac: x.req('mac').str() } : {}),
    ...(x.get('mtu') ? { mtu: x.req('mtu').int(68, 65535) } : {}),
    ...(x.get('queues') ? { queues: x.req('queues').int(1, 256) } : {}),
    ...(x.get('addresses') ? { addresses: strList(x.req('addresses')) } : {}),
    ...(x.get('up') ? { up: x.req('up').bool() } : {}),
  });
  if (peer) peer.keys(PEER);
  return { ...common(v), kind, ...(peer ? { peer: common(peer) } : {}) };
}

function http(v: YamlValue): HttpSpec {
  v.keys(['methods', 'paths', 'hosts', 'share']);
  return {
    ...(v.get('methods') ? { methods: strList(v.req('methods')) } : {}),
    ...(v.get('paths') ? { paths: strList(v.req('paths')) } : {}),
    ...(v.get('hosts') ? { hosts: strList(v.req('hosts')) } : {}),
    ...(v.get('share') ? { share: v.req('share').num() } : {}),
  };
}

function parseTraffic(v: YamlValue, seed: number, index: number): ScenarioTraffic {
  const line = lineOf(v);
  const isPcap = v.isMap() && v.get('pcap') !== undefined;
  v.keys(isPcap ? PCAP : GENERATOR);
  const dev = v.req('device').str();
  const start = v.get('start') ? duration(v.req('start')) : 0;
  if (isPcap) {
    const rateV = v.get('rate');
    const rate = !rateV || rateV.scalar() === 'recorded' ? 'recorded' : rateV.num();
    if (rate !== 'recorded' && !(rate > 0)) rateV!.fail('expected a positive rate in packets per second, or recorded');
    const speed = v.get('speed')?.num() ?? 1;
    if (!(speed > 0)) v.req('speed').fail('expected a positive speed factor');
    return { kind: 'pcap', device: dev, path: v.req('pcap').str(), replay: { rate, speed, start, loops: v.get('loops')?.int(1, 1_000_000) ?? 1 }, line };
  }
  const rate = v.req('rate').num();
  if (!(rate > 0)) v.req('rate').fail('expected a positive rate in packets per second');
  if (!v.get('duration') && !v.get('count')) v.fail('a generator needs a duration or a count');
  const f = v.req('flows');
  f.keys(FLOWS);
  const mixV = v.get('mix');
  if (mixV) mixV.keys(['tcp', 'udp', 'icmp']);
  const spec: TrafficSpec = {
    seed: v.get('seed')?.int(0, 0xffffffff) ?? (seed + index) >>> 0,
    start,
    rate,
    ...(v.get('duration') ? { duration: duration(v.req('duration')) } : {}),
    ...(v.get('count') ? { count: v.req('count').int(0, 100_000_000) } : {}),
    ...(v.get('src_mac') ? { srcMac: v.req('src_mac').str() } : {}),
    ...(v.get('dst_mac') ? { dstMac: v.req('dst_mac').str() } : {}),
    ...(v.get('vlan') ? { vlan: v.req('vlan').int(0, 4095) } : {}),
    flows: {
      ...(f.get('count') ? { count: f.req('count').int(1, 1_000_000) } : {}),
      src: f.req('src').str(),
      dst: f.req('dst').str(),
      ...(f.get('sport') ? { sport: ports(f.req('sport')) } : {}),
      ...(f.get('dport') ? { dport: ports(f.req('dport')) } : {}),
    },
    ...(mixV ? { mix: Object.fromEntries(mixV.keys().map((k) => [k, mixV.req(k).num()])) } : {}),
    ...(v.get('sizes') ? { sizes: sizes(v.req('sizes')) } : {}),
    ...(v.get('http') ? { http: http(v.req('http')) } : {}),
  };
  return { kind: 'generator', device: dev, spec, line };
}

function process(v: YamlValue, cpus: number): TaskSpec {
  v.keys(PROCESS);
  const opt = (k: string, max = 0xffffffff): Record<string, number> => (v.get(k) ? { [k]: v.req(k).int(0, max) } : {});
  return {
    pid: v.req('pid').int(1, 4194304),
    comm: v.req('comm').str(),
    ...opt('tgid', 4194304),
    ...opt('ppid', 4194304),
    ...opt('uid'),
    ...opt('gid'),
    ...(v.get('cgroup') ? { cgroupId: BigInt(v.req('cgroup').int(0)) } : {}),
    ...(v.get('cpu') ? { cpu: v.req('cpu').int(0, cpus - 1) } : {}),
    ...(v.get('exe') ? { exe: v.req('exe').str() } : {}),
  };
}

function request(v: YamlValue, name: SyscallRequest['syscall']): SyscallRequest {
  const s = (k: string): string | undefined => v.get(k)?.str();
  const i = (k: string, min = -2147483648, max = 2147483647): number | undefined => v.get(k)?.int(min, max);
  const need = <T>(k: string, value: T | undefined): T => value ?? v.fail(`${name} needs "${k}"`);
  const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
  switch (name) {
    case 'openat': {
      const flags = v.get('flags');
      return clean({ syscall: name, path: need('path', s('path')), flags: flags ? (flags.isScalar() && typeof flags.scalar() === 'number' ? flags.int(0) : flags.str()) : undefined, mode: i('mode', 0), dfd: i('dfd') });
    }
    case 'read':
      return clean({ syscall: name, fd: need('fd', i('fd', 0)), count: i('count', 0, 1 << 20) });
    case 'write':
      return clean({ syscall: name, fd: need('fd', i('fd', 0)), data: s('data'), count: i('count', 0, 1 << 20) });
    case 'close':
      return { syscall: name, fd: need('fd', i('fd', 0)) };
    case 'socket': {
      const family = s('family') ?? 'inet';
      const type = s('type') ?? 'stream';
      if (family !== 'inet' && family !== 'inet6') return v.req('family').fail('expected inet or inet6');
      if (type !== 'stream' && type !== 'dgram') return v.req('type').fail('expected stream or dgram');
      return { syscall: name, family, type };
    }
    case 'bind':
    case 'connect':
      return { syscall: name, fd: need('fd', i('fd', 0)), addr: need('addr', s('addr')) };
    case 'listen':
      return clean({ syscall: name, fd: need('fd', i('fd', 0)), backlog: i('backlog', 0) });
    case 'accept':
      return clean({ syscall: name, fd: need('fd', i('fd', 0)), peer: s('peer') });
    case 'sendto':
      return clean({ syscall: name, fd: need('fd', i('fd', 0)), data: s('data'), count: i('count', 0, 1 << 20), addr: s('addr') });
    case 'recvfrom':
      return clean({ syscall: name, fd: need('fd', i('fd', 0)), count: i('count', 0, 1 << 20) });
    case 'execve':
      return clean({ syscall: name, path: need('path', s('path')), argv: v.get('argv') ? strList(v.req('argv')) : undefined, envp: v.get('envp') ? strList(v.req('envp')) : undefined });
    case 'clone':
    case 'fork':
      return clean({ syscall: name, flags: i('flags', 0), child: i('child', 1, 4194304), cpu: i('cpu', 0) });
    case 'exit':
    case 'exit_group':
      return clean({ syscall: name, code: i('code', 0, 255) });
    case 'kill': {
      const sig = v.get('signal');
      return clean({ syscall: name, target: need('target', i('target', 1, 4194304)), signal: sig ? (typeof sig.scalar() === 'number' ? sig.int(0, 64) : sig.str()) : undefined });
    }
  }
}

function timelineEntry(v: YamlValue, pids: ReadonlySet<number>): TimelineEntry {
  const name = v.req('syscall').str() as SyscallRequest['syscall'];
  const fields = SYSCALL_FIELDS[name];
  if (!fields) v.req('syscall').fail(`unknown system call "${name}" (expected one of ${Object.keys(SYSCALL_FIELDS).join(', ')})`);
  v.keys(['at', 'pid', 'syscall', ...fields]);
  const pid = v.req('pid').int(1, 4194304);
  if (!pids.has(pid)) v.req('pid').fail(`no process ${pid} is declared under processes or created by a fork/clone with child: ${pid}`);
  return { at: duration(v.req('at')), pid, request: request(v, name), line: lineOf(v) };
}

/** Creates the devices in a scratch table so name clashes and bad addresses fail at their line. */
function checkDevices(devices: readonly ScenarioDevice[], nodes: readonly YamlValue[]): void {
  const table = new DeviceTable();
  devices.forEach((d, i) => {
    try {
      if (d.peer) table.createVethPair(d, d.peer);
      else table.create(d);
    } catch (e) {
      nodes[i]!.fail((e as Error).message);
    }
  });
}

function lineOf(v: YamlValue): number {
  try {
    v.fail('');
  } catch (e) {
    return (e as { line: number }).line;
  }
}

/** Parses and checks a scenario; `file` names it in errors. */
export function parseScenario(text: string, file = 'scenario.yaml'): Scenario {
  const root = readYaml(text, file);
  if (!root.node) root.fail('the file is empty');
  root.keys(TOP);
  const cpus = root.get('cpus')?.int(1, 256) ?? 4;
  const seed = root.get('seed')?.int(0, 0xffffffff) ?? 1;
  const devicesV = root.get('devices')?.list() ?? [];
  const devices = devicesV.map(device);
  checkDevices(devices, devicesV);
  const names = new Set(['lo', ...devices.flatMap((d) => [d.name, ...(d.peer ? [d.peer.name] : [])])]);
  const traffic = root.get('traffic')?.list().map((t, i) => {
    const parsed = parseTraffic(t, seed, i);
    if (!names.has(parsed.device)) t.req('device').fail(`no device "${parsed.device}" (devices: ${[...names].join(', ')})`);
    return parsed;
  }) ?? [];
  const filesV = root.get('files');
  const files = filesV ? Object.fromEntries(filesV.keys().map((k) => [k, filesV.req(k).str()])) : {};
  const processesV = root.get('processes')?.list() ?? [];
  const processes = processesV.map((p) => process(p, cpus));
  const seen = new Set<number>();
  processes.forEach((p, i) => {
    if (seen.has(p.pid)) processesV[i]!.req('pid').fail(`pid ${p.pid} is declared twice`);
    seen.add(p.pid);
  });
  const timelineV = root.get('timeline')?.list() ?? [];
  const children = timelineV.flatMap((t) => (t.isMap() && t.get('child') ? [t.req('child').int(1, 4194304)] : []));
  const pids = new Set([...seen, ...children]);
  const timeline = timelineV.map((t) => timelineEntry(t, pids)).map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map(({ e }) => e);
  const end = root.get('end') ? duration(root.req('end')) : undefined;
  return {
    file, name: root.get('name')?.str() ?? file, seed, cpus, devices, files, traffic, processes, timeline,
    ...(end !== undefined ? { end } : {}),
  };
}

