/**
 * The traffic generator: frames for a set of flows at a packet rate, for a duration or a count,
 * with sizes from a distribution and, on TCP flows, HTTP/1.1 requests. Deterministic for a seed:
 * the same spec gives byte-identical frames at identical times.
 *
 * Each TCP flow opens with a SYN, then sends PSH|ACK segments whose sequence numbers follow the
 * bytes sent; ICMP flows send echo requests with rising sequence numbers; UDP flows datagrams.
 * Packet i of the run is sent at `start + floor(i * 1e9 / rate)`.
 */
import { BpfError } from '@bpfhive/uapi';
import { Random } from '../../random.js';
import { ETH_HLEN } from '../ethernet.js';
import { IpProto, type FiveTuple } from '../flow.js';
import { buildFrame, type L4Spec } from '../frame.js';
import { buildHttpRequest } from '../http.js';
import { echoRest, Icmp6Type, IcmpType } from '../icmp.js';
import { TcpFlags } from '../tcp.js';
import type { TimedFrame } from '../timed-frame.js';
import { drawFlows, type FlowSpec, type ProtocolMix } from './flows.js';
import { checkSizes, sampleSize, type SizeSpec } from './sizes.js';

export interface HttpSpec {
  /** Default `GET`. */
  readonly methods?: readonly string[];
  /** Default `/`. */
  readonly paths?: readonly string[];
  /** Host header values (default the destination address). */
  readonly hosts?: readonly string[];
  /** Fraction of TCP data segments that carry a request (default 1). */
  readonly share?: number;
}

export interface TrafficSpec {
  /** Default 1. */
  readonly seed?: number;
  /** Virtual time of the first frame (default 0). */
  readonly start?: number;
  /** Packets per second. */
  readonly rate: number;
  /** How long to send, in ns; or `count` frames. One of the two is required. */
  readonly duration?: number;
  readonly count?: number;
  /** Ethernet addresses (default 02:00:00:00:01:01 → 02:00:00:00:00:02). */
  readonly srcMac?: string;
  readonly dstMac?: string;
  /** An 802.1Q tag on every frame. */
  readonly vlan?: number;
  readonly flows: FlowSpec;
  readonly mix?: ProtocolMix;
  /** Default fixed 64 bytes. */
  readonly sizes?: SizeSpec;
  readonly http?: HttpSpec;
}

interface FlowState {
  readonly tuple: FiveTuple;
  seq: number;
  sent: number;
  readonly ident: number;
}

const HEADERS = { [IpProto.TCP]: 20, [IpProto.UDP]: 8, [IpProto.ICMP]: 8, [IpProto.ICMPV6]: 8 } as Record<number, number>;

export class TrafficGenerator implements Iterator<TimedFrame>, Iterable<TimedFrame> {
  /** Frames this generator sends in all. */
  readonly total: number;
  readonly flows: readonly FiveTuple[];
  readonly #spec: TrafficSpec;
  readonly #rng: Random;
  readonly #state: FlowState[];
  #sent = 0;

  constructor(spec: TrafficSpec) {
    if (!(spec.rate > 0) || !Number.isFinite(spec.rate)) throw new BpfError('EINVAL', `traffic: rate ${spec.rate} must be a positive number of packets per second`);
    if (spec.count === undefined && spec.duration === undefined) throw new BpfError('EINVAL', 'traffic: give a duration or a count');
    if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count >= 0)) throw new BpfError('EINVAL', `traffic: count ${spec.count} must be a whole number`);
    if (spec.vlan !== undefined && !(Number.isInteger(spec.vlan) && spec.vlan >= 0 && spec.vlan < 4096)) throw new BpfError('EINVAL', `traffic: vlan ${spec.vlan} outside 0..4095`);
    if (spec.http?.share !== undefined && !(spec.http.share >= 0 && spec.http.share <= 1)) throw new BpfError('EINVAL', `traffic http: share ${spec.http.share} outside 0..1`);
    checkSizes(spec.sizes ?? { kind: 'fixed', bytes: 64 });
    this.#spec = spec;
    this.#rng = new Random(spec.seed ?? 1);
    this.flows = drawFlows(spec.flows, spec.mix ?? {}, this.#rng);
    this.#state = this.flows.map((tuple) => ({ tuple, seq: this.#rng.u32(), sent: 0, ident: this.#rng.int(1, 0xffff) }));
    this.total = spec.count ?? Math.floor(((spec.duration ?? 0) * spec.rate) / 1e9);
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<TimedFrame> {
    if (this.#sent >= this.total) return { done: true, value: undefined };
    const time = (this.#spec.start ?? 0) + Math.floor((this.#sent * 1e9) / this.#spec.rate);
    this.#sent++;
    const flow = this.#state[Math.floor(this.#rng.float() * this.#state.length)]!;
    return { done: false, value: { time, frame: this.#frame(flow) } };
  }

  /** Up to `max` next frames (fewer at the end). */
  batch(max: number): TimedFrame[] {
    const out: TimedFrame[] = [];
    while (out.length < max) {
      const r = this.next();
      if (r.done) break;
      out.push(r.value);
    }
    return out;
  }

  /** Frames still to send. */
  get remaining(): number {
    return this.total - this.#sent;
  }

  #frame(flow: FlowState): Uint8Array {
    const s = this.#spec;
    const t = flow.tuple;
    const v6 = t.src.includes(':');
    const overhead = ETH_HLEN + (s.vlan !== undefined ? 4 : 0) + (v6 ? 40 : 20) + HEADERS[t.proto]!;
    let payload: Uint8Array = new Uint8Array(Math.max(0, sampleSize(s.sizes ?? { kind: 'fixed', bytes: 64 }, this.#rng) - overhead));
    let l4: L4Spec;
    if (t.proto === IpProto.TCP) {
      if (flow.sent === 0) {
        payload = new Uint8Array(0);
        l4 = { proto: 'tcp', sport: t.sport, dport: t.dport, seq: flow.seq, flags: TcpFlags.SYN };
        flow.seq = (flow.seq + 1) >>> 0;
      } else {
        if (s.http && this.#rng.float() < (s.http.share ?? 1)) payload = this.#http(t);
        l4 = { proto: 'tcp', sport: t.sport, dport: t.dport, seq: flow.seq, ack: 1, flags: TcpFlags.PSH | TcpFlags.ACK };
        flow.seq = (flow.seq + payload.length) >>> 0;
      }
    } else if (t.proto === IpProto.UDP) {
      l4 = { proto: 'udp', sport: t.sport, dport: t.dport };
    } else {
      l4 = { proto: 'icmp', type: v6 ? Icmp6Type.ECHO_REQUEST : IcmpType.ECHO_REQUEST, rest: echoRest(flow.ident, flow.sent) };
    }
    flow.sent++;
    return buildFrame({
      src: s.srcMac ?? '02:00:00:00:01:01',
      dst: s.dstMac ?? '02:00:00:00:00:02',
      ...(s.vlan !== undefined ? { vlans: [{ vid: s.vlan }] } : {}),
      ip: { src: t.src, dst: t.dst, id: flow.sent & 0xffff },
      l4,
      payload,
    });
  }

  #http(t: FiveTuple): Uint8Array {
    const h = this.#spec.http!;
    const method = this.#rng.pick(h.methods ?? ['GET']);
    const path = this.#rng.pick(h.paths ?? ['/']);
    const host = h.hosts?.length ? this.#rng.pick(h.hosts) : t.dst;
    const body = method === 'POST' || method === 'PUT' ? new TextEncoder().encode('{"id":1}') : undefined;
    return buildHttpRequest({ method, path, headers: [['Host', host], ['User-Agent', 'bpfhive-traffic/1'], ['Accept', '*/*']], ...(body ? { body } : {}) });
  }
}
