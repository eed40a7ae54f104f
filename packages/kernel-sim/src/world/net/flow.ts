/**
 * The 5-tuple that names a flow, and the IP protocol numbers the world builds.
 */
export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

/** A flow as the flow log and RSS see it. Ports are 0 for protocols without ports. */
export interface FiveTuple {
  readonly proto: number;
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
}

const NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' };

export function protoName(proto: number): string {
  return NAMES[proto] ?? String(proto);
}

/** `tcp 10.0.0.2:51000 > 10.0.0.1:80`, `icmp 10.0.0.2 > 10.0.0.1`, IPv6 addresses in brackets. */
export function formatTuple(t: FiveTuple): string {
  const ep = (addr: string, port: number): string => {
    const a = addr.includes(':') ? `[${addr}]` : addr;
    return t.proto === IpProto.TCP || t.proto === IpProto.UDP ? `${a}:${port}` : a;
  };
  return `${protoName(t.proto)} ${ep(t.src, t.sport)} > ${ep(t.dst, t.dport)}`;
}

/** The same flow seen from the other end. */
export function reverseTuple(t: FiveTuple): FiveTuple {
  return { proto: t.proto, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}
