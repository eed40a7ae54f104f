import { type SimCountersReply, type SimProcListReply, SimSubjects, errnoName } from '@bpfhive/uapi';
import type { BpfClient } from '../client/index.js';
import { addressBytes, be16, perCpuSum, u32le } from './bytes.js';
import type { Example } from './runner.js';
import { buildMachine } from './scenario.js';
import { simRequest } from './sim.js';
import { syscall } from './workload.js';

interface Service {
  readonly address: string;
  readonly port: number;
  readonly revNat: number;
  /** Backend ids (keys of `backends`). */
  readonly backends: readonly number[];
}

const BACKENDS: ReadonlyMap<number, string> = new Map([
  [1, '10.0.1.1:8080'],
  [2, '10.0.1.2:8080'],
  [3, '10.0.1.3:8080'],
]);

const SERVICES: readonly Service[] = [
  { address: '10.96.0.10', port: 80, revNat: 1, backends: [1, 2, 3] },
  { address: '10.96.0.11', port: 80, revNat: 2, backends: [] },
];

/** struct svc_key: address and port in network order, the slot, TCP. */
function svcKey(s: Service, slot: number): Uint8Array {
  const key = new Uint8Array(12);
  key.set(addressBytes(s.address), 0);
  key.set(be16(s.port), 4);
  new DataView(key.buffer).setUint16(6, slot, true);
  key[8] = 6;
  return key;
}

/** struct svc_value: backend id, count, rev_nat_index. */
function svcValue(backendId: number, count: number, revNat: number): Uint8Array {
  const v = new Uint8Array(8);
  const view = new DataView(v.buffer);
  view.setUint32(0, backendId, true);
  view.setUint16(4, count, true);
  view.setUint16(6, revNat, true);
  return v;
}

/** The sock_addr hook's runs and verdicts on the root cgroup's connect4 so far. */
async function connectHook(client: BpfClient): Promise<{ runs: number; allow: number; deny: number }> {
  const counters = await simRequest<SimCountersReply>(client, SimSubjects.counters, {});
  const hook = counters.hooks.find((h) => h.hook === 'sock_addr' && /inet4_connect$/.test(h.target));
  const actions = (hook?.actions ?? {}) as Record<string, number>;
  return { runs: hook?.runs ?? 0, allow: actions.ALLOW ?? 0, deny: actions.DENY ?? 0 };
}

/** The client of the scenario (examples/kubeproxy/scenario.yaml). */
const CURL_PID = 5001;

/** Where curl connects, in order: nine times the service with backends, a plain address, the service without. */
const TARGETS: readonly string[] = [...Array<string>(9).fill('10.96.0.10:80'), '10.0.0.5:443', '10.96.0.11:80'];

/** One connect() of curl: what it asked for, what it returned, and where its socket went. */
export interface KubeproxyConnect {
  readonly addr: string;
  /** 0, or a negative errno (-1: EPERM, the program refused it). */
  readonly ret: number;
  /** The socket's peer after the call (the backend, when translated); absent when refused. */
  readonly peer?: string;
}

/** The peer of socket `fd` of task `pid` (bpf.v1.sim.proc.list, as `ss -p` shows it). */
async function peerOf(client: BpfClient, pid: number, fd: number): Promise<string | undefined> {
  const { tasks } = await simRequest<SimProcListReply>(client, SimSubjects.procList, {});
  return tasks.find((t) => t.pid === pid)?.sockets?.find((s) => s.fd === fd)?.remote;
}

/** socket(), connect(addr), the socket's peer, close(): as curl would, one connection at a time. */
async function connectOnce(client: BpfClient, addr: string): Promise<KubeproxyConnect & { readonly events: number }> {
  const opened = await syscall(client, { pid: CURL_PID, syscall: 'socket' });
  const fd = opened.ret ?? -1;
  if (fd < 0) throw new Error(`socket() in pid ${CURL_PID} returned ${fd}`);
  const connected = await syscall(client, { pid: CURL_PID, syscall: 'connect', fd, addr });
  const peer = await peerOf(client, CURL_PID, fd);
  const closed = await syscall(client, { pid: CURL_PID, syscall: 'close', fd });
  return { addr, ret: connected.ret ?? 0, ...(peer !== undefined && { peer }), events: opened.events + connected.events + closed.events };
}

export interface KubeproxyResult {
  /** lb_stats: connects rewritten to a backend, and refused for want of one. */
  readonly translated: number;
  readonly refused: number;
  /** The connect4 hook during the run: runs, and the verdicts (ALLOW proceeds, DENY is EPERM). */
  readonly runs: number;
  readonly allow: number;
  readonly deny: number;
  /** Every connect() in order, with its return value and where it went. */
  readonly connects: readonly KubeproxyConnect[];
}

export const kubeproxy: Example<KubeproxyResult> = {
  name: 'kubeproxy',
  summary: "a service address translated to a backend at connect() (cgroup/connect4), as Cilium's kube-proxy replacement",
  async run({ client, attach, mapId, print, scenario }) {
    for (const [id, backend] of BACKENDS) {
      const [address, port] = backend.split(':') as [string, string];
      await client.mapUpdate(mapId('backends'), u32le(id), new Uint8Array([...addressBytes(address), ...be16(Number(port)), 6, 0]));
    }
    for (const s of SERVICES) {
      // Slots first, the service entry last, so the program never sees a count without its slots.
      for (const [i, id] of s.backends.entries()) await client.mapUpdate(mapId('services'), svcKey(s, i + 1), svcValue(id, 0, s.revNat));
      await client.mapUpdate(mapId('services'), svcKey(s, 0), svcValue(0, s.backends.length, s.revNat));
      print(`service ${s.address}:${s.port}/tcp -> ${s.backends.length ? s.backends.map((id) => BACKENDS.get(id)).join(', ') : '(no backends)'}`);
    }
    await buildMachine(client, await scenario());
    await attach('sock4_connect');
    const before = await connectHook(client);
    const connects: KubeproxyConnect[] = [];
    let events = 0;
    for (const addr of TARGETS) {
      const { events: n, ...connect } = await connectOnce(client, addr);
      connects.push(connect);
      events += n;
    }
    const after = await connectHook(client);
    const stat = async (k: number): Promise<number> => Number(perCpuSum(await client.mapLookup(mapId('lb_stats'), u32le(k)), 8, 0));
    const result = { translated: await stat(0), refused: await stat(1), runs: after.runs - before.runs, allow: after.allow - before.allow, deny: after.deny - before.deny, connects };
    print('');
    print(`curl (pid ${CURL_PID}) made ${connects.length} connect()s (${events} hook events):`);
    for (const c of connects) print(`  connect(${c.addr}) = ${c.ret < 0 ? `-1 ${errnoName(-c.ret) ?? -c.ret}` : c.ret}${c.peer ? `  -> ${c.peer}` : ''}`);
    print(`  connect4 ran ${result.runs} times: ${result.allow} proceeded, ${result.deny} refused (EPERM)`);
    print(`  lb_stats: ${result.translated} translated to a backend, ${result.refused} refused for want of a backend`);
    return result;
  },
};
