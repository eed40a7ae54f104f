import { SimSubjects, type SimDevListReply, toBase64 } from '@bpfhive/uapi';
import type { BpfClient } from '../client/index.js';
import { perCpuSum, u32le } from './bytes.js';
import type { Example } from './runner.js';
import { type SimDevice, ensureDevice, simDevices, simRequest } from './sim.js';

const PROTOCOLS: Readonly<Record<number, string>> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 58: 'ICMPv6', 132: 'SCTP' };

/** A device called PREFIX<n> with no XDP program on it (made when none is free). */
export async function freeDevice(client: BpfClient, prefix: string, addresses: readonly string[]): Promise<SimDevice> {
  const devices = await simDevices(client);
  for (let n = 0; ; n++) {
    const existing = devices.find((d) => d.name === `${prefix}${n}`);
    if (!existing) return ensureDevice(client, `${prefix}${n}`, addresses);
    if (!existing.xdp) return existing;
  }
}

/** Drives frames through a device as fast as the kernel takes them; resolves when all are sent. */
export async function traffic(client: BpfClient, device: string, count: number, flows: Record<string, unknown>, mix: Record<string, number>, seed = 1): Promise<void> {
  await simRequest(client, SimSubjects.trafficStart, { device, rate: 1_000_000, count, flows, mix, seed, sizes: [64, 512], realtime: false, wait: true }, 60_000);
}

/** A broadcast ARP request (who has 10.0.0.1), padded to 60 bytes. */
function arpFrame(): Uint8Array {
  const f = new Uint8Array(60);
  f.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x99, 0x08, 0x06], 0);
  f.set([0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 0x99, 10, 0, 0, 99, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1], 14);
  return f;
}

export const pktcount: Example = {
  name: 'pktcount',
  summary: 'packets and bytes per IP protocol (XDP, per-CPU array)',
  async run({ client, attach, mapId, print }) {
    const device = await freeDevice(client, 'pkt', ['10.0.0.1/24', 'fd00::1/64']);
    print(`device ${device.name} (ifindex ${device.ifindex})`);
    await attach('xdp_pktcount', { ifindex: device.ifindex });
    await traffic(client, device.name, 600, { count: 32, src: '192.168.1.0/24', dst: '10.0.0.1', dport: [80, 443, 53] }, { tcp: 3, udp: 2, icmp: 1 });
    await traffic(client, device.name, 100, { count: 8, src: 'fd00::/64', dst: 'fd00::1' }, { icmp: 1 }, 2);
    await simRequest(client, SimSubjects.devInject(device.ifindex), { frames: Array.from({ length: 5 }, () => toBase64(arpFrame())) });
    const stats = mapId('proto_stats');
    print('');
    print(`${'PROTO'.padEnd(8)} ${'NR'.padStart(4)} ${'PACKETS'.padStart(10)} ${'BYTES'.padStart(12)}`);
    let counted = 0n;
    for (let proto = 0; proto < 256; proto++) {
      const value = await client.mapLookup(stats, u32le(proto));
      const packets = perCpuSum(value, 16, 0);
      if (packets === 0n) continue;
      counted += packets;
      print(`${(PROTOCOLS[proto] ?? `proto${proto}`).padEnd(8)} ${String(proto).padStart(4)} ${String(packets).padStart(10)} ${String(perCpuSum(value, 16, 8)).padStart(12)}`);
    }
    const after = (await simRequest<SimDevListReply>(client, SimSubjects.devList, {})).devices.find((d) => d.ifindex === device.ifindex);
    const s = after?.stats ?? {};
    print('');
    print(`${device.name}: rx_packets ${s.rx_packets ?? 0}  xdp_pass ${s.xdp_pass ?? 0}  xdp_drop ${s.xdp_drop ?? 0}  (counted ${counted}; ARP is passed uncounted)`);
  },
};
