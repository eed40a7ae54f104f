import { addressBytes, be16, ipv4Text, u32le } from './bytes.js';
import { collectRingbuf } from './outputs.js';
import type { Example } from './runner.js';
import { buildMachine, deviceOf, runScenario } from './scenario.js';

/** The containers: host-side veth, address, security identity. */
const ENDPOINTS: readonly { readonly name: string; readonly device: string; readonly address: string; readonly identity: number }[] = [
  { name: 'frontend', device: 'lxc-frontend', address: '10.0.0.1', identity: 1001 },
  { name: 'backend', device: 'lxc-backend', address: '10.0.0.2', identity: 1002 },
  { name: 'db', device: 'lxc-db', address: '10.0.0.3', identity: 1003 },
];

/** The allow rules: source identity, destination identity, TCP port. */
const POLICY: readonly { readonly from: number; readonly to: number; readonly port: number; readonly proto: number }[] = [
  { from: 1001, to: 1002, port: 8080, proto: 6 },
  { from: 1002, to: 1003, port: 5432, proto: 6 },
];

const PROTO: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP' };
const REASON: Readonly<Record<number, string>> = { 1: 'policy allowed', 2: 'policy denied', 3: 'malformed', 4: 'IPv6 not enforced' };

/** struct flow_event (40 bytes), as examples/netpolicy/README.md lays it out. */
export interface FlowEvent {
  readonly ts: bigint;
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly srcIdentity: number;
  readonly dstIdentity: number;
  readonly ifindex: number;
  readonly protocol: number;
  readonly verdict: 'FORWARDED' | 'DROPPED';
  readonly reason: string;
}

export function decodeFlowEvent(data: Uint8Array): FlowEvent {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    ts: v.getBigUint64(0, true),
    src: ipv4Text(data, 8),
    dst: ipv4Text(data, 12),
    sport: v.getUint16(16, false),
    dport: v.getUint16(18, false),
    srcIdentity: v.getUint32(20, true),
    dstIdentity: v.getUint32(24, true),
    ifindex: v.getUint32(28, true),
    protocol: data[32]!,
    verdict: data[33] === 1 ? 'FORWARDED' : 'DROPPED',
    reason: REASON[data[34]!] ?? `reason ${data[34]}`,
  };
}

function policyKey(rule: (typeof POLICY)[number]): Uint8Array {
  const key = new Uint8Array(12);
  key.set(u32le(rule.from), 0);
  key.set(u32le(rule.to), 4);
  key.set(be16(rule.port), 8);
  key[10] = rule.proto;
  return key;
}

export interface NetpolicyResult {
  readonly events: readonly FlowEvent[];
  /** Packets and bytes each policy entry allowed (flows it opened), in POLICY order. */
  readonly policyPackets: readonly number[];
  /** Flows in the connection tracking table after the run. */
  readonly tracked: number;
}

export const netpolicy: Example<NetpolicyResult> = {
  name: 'netpolicy',
  summary: 'identity-based allow rules, connection tracking and a flow log of verdicts, as Cilium and Hubble do',
  async run({ client, attach, mapId, print, scenario }) {
    const world = await scenario();
    const devices = await buildMachine(client, world);
    const who = new Map<string, string>();
    for (const e of ENDPOINTS) {
      const key = new Uint8Array([...u32le(32), ...addressBytes(e.address)]);
      await client.mapUpdate(mapId('ipcache'), key, u32le(e.identity));
      who.set(e.address, e.name);
      print(`endpoint ${e.name.padEnd(8)} ${e.address}  identity ${e.identity}  (${e.device})`);
    }
    for (const rule of POLICY) {
      await client.mapUpdate(mapId('policy'), policyKey(rule), new Uint8Array(16));
      print(`policy: allow ${rule.from} -> ${rule.to} ${PROTO[rule.proto]} ${rule.port}`);
    }
    for (const e of ENDPOINTS) await attach('tc_netpolicy', { ifindex: deviceOf(devices, e.device).ifindex });

    const log = await collectRingbuf(client, mapId('flow_events'), decodeFlowEvent);
    try {
      // One event per batch: the hooks run each frame in scenario time order, so the log is too.
      await runScenario(client, world, 1);
      // Every packet of a new flow is logged: 2 forwarded flows, 3 denied TCP, 2 denied pings.
      await log.waitFor(7, 3000);
    } finally {
      log.stop();
    }
    print('');
    print('flow log (hubble observe):');
    const first = log.items[0]?.ts ?? 0n;
    for (const e of log.items) {
      const ports = e.protocol === 1 ? '' : `:${e.sport}`;
      const dports = e.protocol === 1 ? '' : `:${e.dport}`;
      const from = `${who.get(e.src) ?? e.src} (${e.srcIdentity}) ${e.src}${ports}`;
      const to = `${who.get(e.dst) ?? e.dst} (${e.dstIdentity}) ${e.dst}${dports}`;
      print(`  ${`+${(Number(e.ts - first) / 1e6).toFixed(3)}ms`.padStart(10)}  ${from.padEnd(34)} -> ${to.padEnd(34)} ${(PROTO[e.protocol] ?? String(e.protocol)).padEnd(4)} ${e.verdict.padEnd(9)} (${e.reason})`);
    }
    const policyPackets: number[] = [];
    print('');
    for (const rule of POLICY) {
      const value = await client.mapLookup(mapId('policy'), policyKey(rule));
      const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
      policyPackets.push(Number(view.getBigUint64(0, true)));
      print(`policy ${rule.from} -> ${rule.to} ${PROTO[rule.proto]} ${rule.port}: ${view.getBigUint64(0, true)} flows opened, ${view.getBigUint64(8, true)} bytes`);
    }
    let tracked = 0;
    for await (const [key, value] of client.mapEntries(mapId('ct'))) {
      tracked++;
      const packets = new DataView(value.buffer, value.byteOffset).getBigUint64(16, true);
      print(`ct: ${ipv4Text(key, 0)}:${(key[8]! << 8) | key[9]!} -> ${ipv4Text(key, 4)}:${(key[10]! << 8) | key[11]!} ${PROTO[key[12]!] ?? key[12]}  packets ${packets}`);
    }
    return { events: log.items, policyPackets, tracked };
  },
};
