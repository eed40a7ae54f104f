import { addressBytes, perCpuSum, u32le } from './bytes.js';
import { deviceStats } from './pktcount.js';
import type { Example } from './runner.js';
import { buildMachine, deviceOf, runScenario } from './scenario.js';

interface Rule {
  readonly id: number;
  readonly prefix: string;
  readonly protocol: number;
  readonly dport: number;
}

const RULES: readonly Rule[] = [
  { id: 1, prefix: '203.0.113.0/24', protocol: 0, dport: 0 },
  { id: 2, prefix: '198.51.100.0/24', protocol: 17, dport: 53 },
  { id: 3, prefix: '2001:db8:bad::/48', protocol: 0, dport: 0 },
];

/** An LPM trie key: `__u32 prefixlen` then the address in network order. */
function lpmKey(prefix: string): { v6: boolean; key: Uint8Array } {
  const [addr, len] = prefix.split('/') as [string, string];
  const bytes = addressBytes(addr);
  const key = new Uint8Array(4 + bytes.length);
  key.set(u32le(Number(len)), 0);
  key.set(bytes, 4);
  return { v6: bytes.length === 16, key };
}

/** struct drop_rule: id, protocol, pad, dport (network order). */
function ruleValue(rule: Rule): Uint8Array {
  const v = new Uint8Array(8);
  const view = new DataView(v.buffer);
  view.setUint32(0, rule.id, true);
  v[4] = rule.protocol;
  view.setUint16(6, rule.dport, false);
  return v;
}

export interface DdosDropResult {
  /** Packets each rule dropped (rule_stats), by rule id. */
  readonly dropped: Readonly<Record<number, number>>;
  readonly xdpPass: number;
  readonly xdpDrop: number;
}

export const ddosDrop: Example<DdosDropResult> = {
  name: 'ddos-drop',
  summary: 'drop floods by source prefix with LPM tries (XDP), as L4Drop does',
  async run({ client, attach, mapId, print, scenario }) {
    const world = await scenario();
    const device = deviceOf(await buildMachine(client, world), 'ddos0');
    print(`device ${device.name} (ifindex ${device.ifindex})`);
    for (const rule of RULES) {
      const { v6, key } = lpmKey(rule.prefix);
      await client.mapUpdate(mapId(v6 ? 'drop_v6' : 'drop_v4'), key, ruleValue(rule));
      print(`rule ${rule.id}: drop ${rule.prefix}${rule.protocol ? ` ${rule.protocol === 17 ? 'udp' : 'tcp'}` : ' any'}${rule.dport ? ` dport ${rule.dport}` : ''}`);
    }
    await attach('xdp_ddos_drop', { ifindex: device.ifindex });
    await runScenario(client, world, 1024);
    const stats = mapId('rule_stats');
    const dropped: Record<number, number> = {};
    print('');
    print(`${'RULE'.padEnd(5)} ${'PREFIX'.padEnd(20)} ${'DROPPED'.padStart(8)} ${'BYTES'.padStart(10)}`);
    for (const rule of RULES) {
      const value = await client.mapLookup(stats, u32le(rule.id));
      dropped[rule.id] = Number(perCpuSum(value, 16, 0));
      print(`${String(rule.id).padEnd(5)} ${rule.prefix.padEnd(20)} ${String(perCpuSum(value, 16, 0)).padStart(8)} ${String(perCpuSum(value, 16, 8)).padStart(10)}`);
    }
    const s = await deviceStats(client, device.ifindex);
    print('');
    print(`${device.name}: rx_packets ${s.rx_packets ?? 0}  passed ${s.xdp_pass ?? 0}  dropped ${s.xdp_drop ?? 0}`);
    return { dropped, xdpPass: s.xdp_pass ?? 0, xdpDrop: s.xdp_drop ?? 0 };
  },
};
