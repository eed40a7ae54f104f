import { SimSubjects, toBase64 } from '@bpfhive/uapi';
import type { BpfClient } from '../client/index.js';
import { perCpuSum, u32le } from './bytes.js';
import type { Example } from './runner.js';
import { buildMachine, deviceOf, runScenario } from './scenario.js';
import { type SimDevice, simDevices, simRequest } from './sim.js';

const PROTOCOLS: Readonly<Record<number, string>> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 58: 'ICMPv6', 132: 'SCTP' };

/** A broadcast ARP request (who has 10.0.0.1), padded to 60 bytes. */
function arpFrame(): Uint8Array {
  const f = new Uint8Array(60);
  f.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x99, 0x08, 0x06], 0);
  f.set([0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 0x99, 10, 0, 0, 99, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1], 14);
  return f;
}

/** A device's counters now (`ip -s link`). */
export async function deviceStats(client: BpfClient, ifindex: number): Promise<Record<string, number>> {
  const device = (await simDevices(client)).find((d: SimDevice) => d.ifindex === ifindex);
  return (device?.stats ?? {}) as Record<string, number>;
}

export interface PktcountResult {
  /** Packets counted per IP protocol number (proto_stats). */
  readonly packets: Readonly<Record<number, number>>;
  readonly rxPackets: number;
  readonly xdpPass: number;
  readonly xdpDrop: number;
}

export const pktcount: Example<PktcountResult> = {
  name: 'pktcount',
  summary: 'packets and bytes per IP protocol (XDP, per-CPU array)',
  async run({ client, attach, mapId, print, scenario }) {
    const world = await scenario();
    const device = deviceOf(await buildMachine(client, world), 'pkt0');
    print(`device ${device.name} (ifindex ${device.ifindex})`);
    await attach('xdp_pktcount', { ifindex: device.ifindex });
    await runScenario(client, world, 1024);
    await simRequest(client, SimSubjects.devInject(device.ifindex), { frames: Array.from({ length: 5 }, () => toBase64(arpFrame())) });
    const stats = mapId('proto_stats');
    print('');
    print(`${'PROTO'.padEnd(8)} ${'NR'.padStart(4)} ${'PACKETS'.padStart(10)} ${'BYTES'.padStart(12)}`);
    let counted = 0n;
    const packets: Record<number, number> = {};
    for (let proto = 0; proto < 256; proto++) {
      const value = await client.mapLookup(stats, u32le(proto));
      const n = perCpuSum(value, 16, 0);
      if (n === 0n) continue;
      counted += n;
      packets[proto] = Number(n);
      print(`${(PROTOCOLS[proto] ?? `proto${proto}`).padEnd(8)} ${String(proto).padStart(4)} ${String(n).padStart(10)} ${String(perCpuSum(value, 16, 8)).padStart(12)}`);
    }
    const s = await deviceStats(client, device.ifindex);
    print('');
    print(`${device.name}: rx_packets ${s.rx_packets ?? 0}  xdp_pass ${s.xdp_pass ?? 0}  xdp_drop ${s.xdp_drop ?? 0}  (counted ${counted}; ARP is passed uncounted)`);
    return { packets, rxPackets: s.rx_packets ?? 0, xdpPass: s.xdp_pass ?? 0, xdpDrop: s.xdp_drop ?? 0 };
  },
};
