/**
 * The flows a traffic generator sends: drawn once, deterministically, from address prefixes and
 * port ranges, each with a protocol chosen by the protocol mix.
 */
import { BpfError } from '@bpfhive/uapi';
import { addressInPrefix, parsePrefix, prefixSize, type Prefix } from '../addr.js';
import { IpProto, type FiveTuple } from '../flow.js';
import type { Random } from '../../random.js';

/** A port, a list of ports, or an inclusive range `[lo, hi]`. */
export type PortSpec = number | readonly number[] | { readonly from: number; readonly to: number };

export interface FlowSpec {
  /** Distinct flows to draw (default 16). */
  readonly count?: number;
  /** Source addresses: a prefix (`192.168.0.0/16`) or one address. */
  readonly src: string;
  readonly dst: string;
  /** Default 1024..65535. */
  readonly sport?: PortSpec;
  /** Default 80. */
  readonly dport?: PortSpec;
}

/** Relative weights of the protocols (default all TCP). */
export interface ProtocolMix {
  readonly tcp?: number;
  readonly udp?: number;
  readonly icmp?: number;
}

const EPHEMERAL = { from: 1024, to: 65535 };

function checkPorts(p: PortSpec, what: string): void {
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 65535;
  let valid: boolean;
  if (typeof p === 'number') valid = ok(p);
  else if ('from' in p) valid = ok(p.from) && ok(p.to) && p.from <= p.to;
  else valid = p.length > 0 && p.every(ok);
  if (!valid) throw new BpfError('EINVAL', `traffic flows: ${what} ${JSON.stringify(p)} is not a port, a port list or a range in 0..65535`);
}

function drawPort(p: PortSpec, rng: Random): number {
  if (typeof p === 'number') return p;
  if ('from' in p) return rng.int(p.from, p.to);
  return rng.pick(p);
}

function prefixOf(text: string, what: string): Prefix {
  try {
    return parsePrefix(text);
  } catch (e) {
    throw new BpfError('EINVAL', `traffic flows: ${what}: ${(e as Error).message}`);
  }
}

/**
 * Draws `count` flows. Both prefixes must be of one family; ICMP flows have zero ports (their
 * echo identifier is drawn by the generator). EINVAL for bad prefixes, ports, counts or mixes.
 */
export function drawFlows(spec: FlowSpec, mix: ProtocolMix, rng: Random): FiveTuple[] {
  const src = prefixOf(spec.src, 'src');
  const dst = prefixOf(spec.dst, 'dst');
  if (src.family !== dst.family) throw new BpfError('EINVAL', 'traffic flows: src and dst are of different address families');
  const count = spec.count ?? 16;
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new BpfError('EINVAL', `traffic flows: count ${count} outside 1..1000000`);
  const sport = spec.sport ?? EPHEMERAL;
  const dport = spec.dport ?? 80;
  checkPorts(sport, 'sport');
  checkPorts(dport, 'dport');
  const weights: number[] = [mix.tcp ?? 0, mix.udp ?? 0, mix.icmp ?? 0];
  if (!weights.some((w) => w !== 0)) weights[0] = 1;
  if (weights.some((w) => !(w >= 0))) throw new BpfError('EINVAL', 'traffic mix: weights must be non-negative numbers');
  const protos: number[] = [IpProto.TCP, IpProto.UDP, src.family === 4 ? IpProto.ICMP : IpProto.ICMPV6];
  const flows: FiveTuple[] = [];
  for (let i = 0; i < count; i++) {
    const proto = protos[rng.weighted(weights)]!;
    const hasPorts = proto === IpProto.TCP || proto === IpProto.UDP;
    flows.push({
      proto,
      src: addressInPrefix(src, Math.floor(rng.float() * prefixSize(src))),
      dst: addressInPrefix(dst, Math.floor(rng.float() * prefixSize(dst))),
      sport: hasPorts ? drawPort(sport, rng) : 0,
      dport: hasPorts ? drawPort(dport, rng) : 0,
    });
  }
  return flows;
}
