import { SimSubjects, type SimDevListReply } from '@bpfhive/uapi';
import { perCpuSum, u32le } from './bytes.js';
import { freeDevice, traffic } from './pktcount.js';
import type { Example } from './runner.js';
import { simRequest } from './sim.js';

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

/** An address's bytes in network order (IPv4 dotted quad, or IPv6 with `::`). */
function addressBytes(text: string): Uint8Array {
  if (!text.includes(':')) return new Uint8Array(text.split('.').map(Number));
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined): number[] => (s ? s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return new Uint8Array(all.flatMap((g) => [g >> 8, g & 0xff]));
}

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

export const ddosDrop: Example = {
  name: 'ddos-drop',
  summary: 'drop floods by source prefix with LPM tries (XDP), as L4Drop does',
  async run({ client, attach, mapId, print }) {
    const device = await freeDevice(client, 'ddos', ['10.0.0.1/24', '2001:db8::1/64']);
    print(`device ${device.name} (ifindex ${device.ifindex})`);
    for (const rule of RULES) {
      const { v6, key } = lpmKey(rule.prefix);
      await client.mapUpdate(mapId(v6 ? 'drop_v6' : 'drop_v4'), key, ruleValue(rule));
      print(`rule ${rule.id}: drop ${rule.prefix}${rule.protocol ? ` ${rule.protocol === 17 ? 'udp' : 'tcp'}` : ' any'}${rule.dport ? ` dport ${rule.dport}` : ''}`);
    }
    await attach('xdp_ddos_drop', { ifindex: device.ifindex });
    await traffic(client, device.name, 300, { count: 16, src: '192.0.2.0/24', dst: '10.0.0.1', dport: [80, 443] }, { tcp: 3, udp: 1 }, 1);
    await traffic(client, device.name, 400, { count: 32, src: '203.0.113.0/24', dst: '10.0.0.1', dport: 80 }, { tcp: 1, udp: 1 }, 2);
    await traffic(client, device.name, 200, { count: 16, src: '198.51.100.0/24', dst: '10.0.0.1', dport: 53 }, { udp: 1 }, 3);
    await traffic(client, device.name, 50, { count: 4, src: '198.51.100.0/24', dst: '10.0.0.1', dport: 53 }, { tcp: 1 }, 4);
    await traffic(client, device.name, 150, { count: 8, src: '2001:db8:bad::/48', dst: '2001:db8::1', dport: 443 }, { tcp: 1 }, 5);
    const stats = mapId('rule_stats');
    print('');
    print(`${'RULE'.padEnd(5)} ${'PREFIX'.padEnd(20)} ${'DROPPED'.padStart(8)} ${'BYTES'.padStart(10)}`);
    for (const rule of RULES) {
      const value = await client.mapLookup(stats, u32le(rule.id));
      print(`${String(rule.id).padEnd(5)} ${rule.prefix.padEnd(20)} ${String(perCpuSum(value, 16, 0)).padStart(8)} ${String(perCpuSum(value, 16, 8)).padStart(10)}`);
    }
    const after = (await simRequest<SimDevListReply>(client, SimSubjects.devList, {})).devices.find((d) => d.ifindex === device.ifindex);
    const s = after?.stats ?? {};
    print('');
    print(`${device.name}: rx_packets ${s.rx_packets ?? 0}  passed ${s.xdp_pass ?? 0}  dropped ${s.xdp_drop ?? 0}`);
  },
};
