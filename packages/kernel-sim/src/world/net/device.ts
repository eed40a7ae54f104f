/**
 * A network device of the simulated machine: identity (ifindex, name, MAC), link settings
 * (MTU, up/down), addresses, RSS, and packet counters per queue.
 *
 * Counters follow what the kernel and drivers report: `rx_*` count frames handed up to the stack
 * (XDP_PASS, then TC ok), `rx_dropped` frames dropped on receive (XDP_DROP/ABORTED, TC_ACT_SHOT,
 * a redirect that failed), `tx_*` frames sent (XDP_TX, redirects to this device, TC egress ok),
 * and the `xdp_*` ethtool-style counters one per XDP action.
 */
import { formatPrefix, type Prefix } from './addr.js';
import { type RssConfig } from './rss.js';

export type DeviceKind = 'loopback' | 'ether' | 'veth';

/** Counters of one queue; every field only grows. */
export interface QueueCounters {
  rxPackets: number;
  rxBytes: number;
  rxDropped: number;
  txPackets: number;
  txBytes: number;
  txDropped: number;
  xdpPass: number;
  xdpDrop: number;
  xdpTx: number;
  xdpRedirect: number;
  xdpAborted: number;
}

export function zeroCounters(): QueueCounters {
  return { rxPackets: 0, rxBytes: 0, rxDropped: 0, txPackets: 0, txBytes: 0, txDropped: 0, xdpPass: 0, xdpDrop: 0, xdpTx: 0, xdpRedirect: 0, xdpAborted: 0 };
}

export class NetDevice {
  /** Receive (and transmit) queues, each with its counters. */
  readonly queues: QueueCounters[];
  readonly addresses: Prefix[] = [];

  constructor(
    readonly ifindex: number,
    readonly name: string,
    readonly kind: DeviceKind,
    public mac: string,
    public mtu: number,
    public up: boolean,
    queueCount: number,
    public rss: RssConfig,
    /** The other end of a veth pair. */
    public peer: number | undefined = undefined,
  ) {
    this.queues = Array.from({ length: queueCount }, zeroCounters);
  }

  /** The counters of queue `q` (queue 0 when `q` is out of range, as a driver would clamp). */
  queue(q: number): QueueCounters {
    return this.queues[q] ?? this.queues[0]!;
  }

  /** The counters summed over all queues. */
  totals(): QueueCounters {
    const sum = zeroCounters();
    for (const q of this.queues) for (const k of Object.keys(sum) as (keyof QueueCounters)[]) sum[k] += q[k];
    return sum;
  }

  /** A plain description (for replies and printing). */
  describe(): DeviceInfo {
    return {
      ifindex: this.ifindex, name: this.name, kind: this.kind, mac: this.mac, mtu: this.mtu, up: this.up,
      queues: this.queues.length, addresses: this.addresses.map(formatPrefix),
      ...(this.peer !== undefined ? { peer: this.peer } : {}), stats: this.totals(),
    };
  }
}

export interface DeviceInfo {
  readonly ifindex: number;
  readonly name: string;
  readonly kind: DeviceKind;
  readonly mac: string;
  readonly mtu: number;
  readonly up: boolean;
  readonly queues: number;
  readonly addresses: readonly string[];
  readonly peer?: number;
  readonly stats: QueueCounters;
}
