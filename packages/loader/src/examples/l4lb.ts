import type { BpfClient } from '../client/index.js';
import { addressBytes, be16, ipv4Text, perCpuSum, u32le } from './bytes.js';
import type { Example } from './runner.js';
import { buildMachine, deviceOf, runScenario } from './scenario.js';
import { type SimDevice, simDevices } from './sim.js';

/** Slots of a VIP's Maglev ring (a prime; Katran uses 65537). */
export const RING_SIZE = 257;
const VIP = { address: '10.100.0.1', port: 80, proto: 6, num: 0 };
/** The reals, by index (0 is never used). */
export const REALS: readonly string[] = ['10.0.1.1', '10.0.1.2', '10.0.1.3'];
const GATEWAY_MAC = [0x02, 0, 0, 0, 0, 0xfe];

/** FNV-1a over `text`, from `basis`: the two hashes a real's name gives its Maglev offset and skip. */
function fnv1a(text: string, basis: number): number {
  let h = basis >>> 0;
  for (const byte of Buffer.from(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

/**
 * A Maglev lookup table (Eisenbud et al., NSDI 2016) for `reals` (1-based indexes into it):
 * each real walks its own permutation of the slots, `(offset + j * skip) % size`, and in turns
 * claims its next slot still free, until every slot has a real.
 */
export function maglevRing(reals: readonly string[], size = RING_SIZE): number[] {
  const ring = new Array<number>(size).fill(0);
  if (reals.length === 0) return ring;
  const offset = reals.map((r) => fnv1a(r, 0x811c9dc5) % size);
  const skip = reals.map((r) => (fnv1a(r, 0x050c5d1f) % (size - 1)) + 1);
  const next = reals.map(() => 0);
  let filled = 0;
  for (;;) {
    for (let i = 0; i < reals.length; i++) {
      let slot: number;
      do slot = (offset[i]! + next[i]!++ * skip[i]!) % size;
      while (ring[slot] !== 0);
      ring[slot] = i + 1;
      if (++filled === size) return ring;
    }
  }
}

/** conn_table, as flow (src:sport) → real index. */
async function placements(client: BpfClient, connTable: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const [key, value] of client.mapEntries(connTable)) {
    const sport = (key[8]! << 8) | key[9]!;
    out.set(`${ipv4Text(key, 0)}:${sport}`, new DataView(value.buffer, value.byteOffset).getUint32(0, true));
  }
  return out;
}

export interface L4lbResult {
  /** Flows placed on each real, in REALS order (from conn_table). */
  readonly flowsPerReal: readonly number[];
  /** Ring slots each real holds. */
  readonly slotsPerReal: readonly number[];
  /** Frames for the VIP (vip_stats) and frames sent back out encapsulated (the device's xdp_tx). */
  readonly vipPackets: number;
  readonly xdpTx: number;
  readonly xdpPass: number;
  /** lb_counters of the first run: packets of known flows, and new flows the ring placed. */
  readonly hits: number;
  readonly misses: number;
  /** Flows seen in both runs, and how many of them went to a different real the second time. */
  readonly replayed: number;
  readonly moved: number;
}

export const l4lb: Example<L4lbResult> = {
  name: 'l4lb',
  summary: 'a VIP spread over backends by a Maglev ring, IP-in-IP and XDP_TX, as Katran does',
  async run({ client, attach, mapId, print, scenario }) {
    const world = await scenario();
    const lb = deviceOf(await buildMachine(client, world), 'lb0');
    print(`balancer ${lb.name} (ifindex ${lb.ifindex}, ${lb.addresses.join(', ')}); VIP ${VIP.address}:${VIP.port}/tcp`);

    const vipKey = new Uint8Array(8);
    vipKey.set(addressBytes(VIP.address), 0);
    vipKey.set(be16(VIP.port), 4);
    vipKey[6] = VIP.proto;
    await client.mapUpdate(mapId('vip_map'), vipKey, new Uint8Array([0, 0, 0, 0, ...u32le(VIP.num)]));
    for (const [i, real] of REALS.entries()) await client.mapUpdate(mapId('reals'), u32le(i + 1), new Uint8Array([...addressBytes(real), 0, 0, 0, 0]));
    const ring = maglevRing(REALS);
    const keys = ring.map((_, slot) => u32le(VIP.num * RING_SIZE + slot));
    await client.mapUpdateBatch(mapId('ch_rings'), keys, ring.map((real) => u32le(real)));
    await client.mapUpdate(mapId('ctl_array'), u32le(0), new Uint8Array([...addressBytes(lb.addresses[0]!.split('/')[0]!), ...GATEWAY_MAC, 0, 0]));
    const slotsPerReal = REALS.map((_, i) => ring.filter((r) => r === i + 1).length);
    print(`reals ${REALS.join(', ')}; Maglev ring of ${RING_SIZE} slots: ${slotsPerReal.join(' / ')}`);
    await attach('xdp_l4lb', { ifindex: lb.ifindex });

    const first = await runScenario(client, world);
    const placed = await placements(client, mapId('conn_table'));
    const counter = async (k: number): Promise<number> => Number(perCpuSum(await client.mapLookup(mapId('lb_counters'), u32le(k)), 8, 0));
    const hits = await counter(0);
    const misses = await counter(1);
    const stats = await client.mapLookup(mapId('vip_stats'), u32le(VIP.num));
    const vipPackets = Number(perCpuSum(stats, 16, 0));
    const device = (await simDevices(client)).find((d: SimDevice) => d.ifindex === lb.ifindex);
    const s = device?.stats ?? {};
    const flowsPerReal = REALS.map((_, i) => [...placed.values()].filter((r) => r === i + 1).length);
    print('');
    print(`${'REAL'.padEnd(10)} ${'SLOTS'.padStart(5)} ${'FLOWS'.padStart(6)}`);
    REALS.forEach((real, i) => print(`${real.padEnd(10)} ${String(slotsPerReal[i]).padStart(5)} ${String(flowsPerReal[i]).padStart(6)}`));
    print('');
    print(`${first.packets} frames: VIP ${vipPackets} (new flows ${misses}, conn_table hits ${hits}); ${lb.name} xdp_tx ${s.xdp_tx ?? 0}  xdp_pass ${s.xdp_pass ?? 0}  xdp_drop ${s.xdp_drop ?? 0}`);

    // Forget every connection and replay the same clients: the ring alone must place each flow
    // where it went before.
    const forget: Uint8Array[] = [];
    for await (const [key] of client.mapEntries(mapId('conn_table'))) forget.push(key);
    if (forget.length > 0) await client.mapDeleteBatch(mapId('conn_table'), forget);
    await runScenario(client, world);
    const again = await placements(client, mapId('conn_table'));
    let replayed = 0;
    let moved = 0;
    for (const [flow, real] of again) {
      const before = placed.get(flow);
      if (before === undefined) continue;
      replayed++;
      if (before !== real) moved++;
    }
    print(`conn_table cleared and the same clients replayed: ${replayed} flows, ${moved} on a different real`);
    return { flowsPerReal, slotsPerReal, vipPackets, xdpTx: s.xdp_tx ?? 0, xdpPass: s.xdp_pass ?? 0, hits, misses, replayed, moved };
  },
};
