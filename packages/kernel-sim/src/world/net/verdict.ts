/**
 * What happens to a frame after XDP and TC programs have spoken: pure functions of
 * (devices, packet, verdict, redirect target) that update the counters and say where the frame
 * goes next, plus the flow-log record of the decision.
 *
 * The path through the world, as in Linux:
 *   arrive → XDP → (PASS) → TC ingress → (OK) → stack (sockets)
 *                → TX: out of the same device, TC egress skipped
 *                → REDIRECT: out of another device, to a CPU (then TC ingress there), or to an XSK
 *   TC egress → (OK) → out of the device; a veth's peer receives it at its XDP hook.
 * The caller (the kernel-sim) runs the programs of each hook and calls applyXdp/applyTc with the
 * verdict; when a hook has no program it takes the step itself (tc_ingress → passToStack,
 * tc_egress → transmit).
 */
import type { DeviceTable } from './device-table.js';
import { tupleOf } from './frame.js';
import { formatTuple, type FiveTuple } from './flow.js';
import type { Packet } from './packet.js';
import type { SocketQueue } from './socket-queue.js';

export const XdpAction = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 } as const;
export const TcAction = { UNSPEC: -1, OK: 0, RECLASSIFY: 1, SHOT: 2, PIPE: 3, STOLEN: 4, QUEUED: 5, REPEAT: 6, REDIRECT: 7, TRAP: 8 } as const;

export type Hook = 'xdp' | 'tc_ingress' | 'tc_egress';

/** Where `bpf_redirect`/`bpf_redirect_map` sent a frame. */
export type RedirectTarget =
  | { readonly kind: 'dev'; readonly ifindex: number; /** TC only: BPF_F_INGRESS, receive instead of transmit. */ readonly ingress?: boolean }
  | { readonly kind: 'cpu'; readonly cpu: number }
  | { readonly kind: 'xsk'; readonly queue: number };

/** Where the frame goes next; the caller runs that hook's programs (or the step itself). */
export type NextStep =
  /** Received by a device: run its XDP programs, then applyXdp. */
  | { readonly to: 'xdp'; readonly packet: Packet }
  /** Run TC ingress programs (then applyTc), or passToStack when there are none. */
  | { readonly to: 'tc_ingress'; readonly packet: Packet }
  /** Run TC egress programs (then applyTc), or transmit when there are none. */
  | { readonly to: 'tc_egress'; readonly packet: Packet }
  /** Up the stack: call passToStack. */
  | { readonly to: 'stack'; readonly packet: Packet }
  /** Hand to the AF_XDP socket on `queue` of the packet's device (user space). */
  | { readonly to: 'xsk'; readonly packet: Packet; readonly queue: number }
  /** Left the machine through a physical device. */
  | { readonly to: 'wire'; readonly packet: Packet };

/** One line of the flow log: which hook and program decided what about which flow. */
export interface FlowRecord {
  readonly time: number;
  readonly ifindex: number;
  readonly queue: number;
  readonly cpu: number;
  readonly hook: Hook;
  readonly progId?: number;
  /** `XDP_DROP`, `TC_ACT_SHOT`, … */
  readonly action: string;
  readonly tuple?: FiveTuple;
  readonly len: number;
  /** For redirects: `dev 3`, `dev 3 ingress`, `cpu 2`, `xsk 0`. */
  readonly target?: string;
  /** Why a redirect failed (`ENODEV`, `ENETDOWN`, `EINVAL`); the frame was dropped. */
  readonly error?: string;
}

export interface Outcome {
  readonly record: FlowRecord;
  readonly next?: NextStep;
}

export interface VerdictOptions {
  readonly progId?: number;
  readonly target?: RedirectTarget;
}

const XDP_NAMES = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'];
const TC_NAMES: Record<number, string> = {
  [-1]: 'TC_ACT_UNSPEC', 0: 'TC_ACT_OK', 1: 'TC_ACT_RECLASSIFY', 2: 'TC_ACT_SHOT', 3: 'TC_ACT_PIPE',
  4: 'TC_ACT_STOLEN', 5: 'TC_ACT_QUEUED', 6: 'TC_ACT_REPEAT', 7: 'TC_ACT_REDIRECT', 8: 'TC_ACT_TRAP',
};

function targetText(t: RedirectTarget): string {
  if (t.kind === 'dev') return `dev ${t.ifindex}${t.ingress ? ' ingress' : ''}`;
  return `${t.kind} ${t.kind === 'cpu' ? t.cpu : t.queue}`;
}

function record(p: Packet, hook: Hook, action: string, opts: VerdictOptions, extra: Partial<FlowRecord> = {}): FlowRecord {
  const tuple = tupleOf(p.frame);
  return {
    time: p.time, ifindex: p.ifindex, queue: p.queue, cpu: p.cpu, hook, action, len: p.frame.length,
    ...(opts.progId !== undefined ? { progId: opts.progId } : {}),
    ...(tuple ? { tuple } : {}),
    ...(opts.target ? { target: targetText(opts.target) } : {}),
    ...extra,
  };
}

/**
 * Applies an XDP verdict to a frame received on `packet.ifindex`. An action outside 0..4 is
 * handled as XDP_ABORTED (the kernel warns and drops), and logged as `XDP_INVALID(n)`.
 */
export function applyXdp(devs: DeviceTable, packet: Packet, action: number, opts: VerdictOptions = {}): Outcome {
  const dev = devs.resolve(packet.ifindex);
  const q = dev.queue(packet.queue);
  const name = XDP_NAMES[action] ?? `XDP_INVALID(${action})`;
  switch (action) {
    case XdpAction.DROP:
      q.xdpDrop++;
      q.rxDropped++;
      return { record: record(packet, 'xdp', name, opts) };
    case XdpAction.PASS:
      q.xdpPass++;
      return { record: record(packet, 'xdp', name, opts), next: { to: 'tc_ingress', packet } };
    case XdpAction.TX: {
      q.xdpTx++;
      return { record: record(packet, 'xdp', name, opts), next: transmit(devs, packet, dev.ifindex) };
    }
    case XdpAction.REDIRECT:
      return redirectXdp(devs, packet, opts);
    default:
      q.xdpAborted++;
      q.rxDropped++;
      return { record: record(packet, 'xdp', name, opts) };
  }
}

function redirectXdp(devs: DeviceTable, packet: Packet, opts: VerdictOptions): Outcome {
  const q = devs.resolve(packet.ifindex).queue(packet.queue);
  const t = opts.target;
  const fail = (error: string): Outcome => {
    q.rxDropped++;
    return { record: record(packet, 'xdp', 'XDP_REDIRECT', opts, { error }) };
  };
  if (!t) return fail('EINVAL');
  if (t.kind === 'dev') {
    const target = devs.get(t.ifindex);
    if (!target) return fail('ENODEV');
    if (!target.up) return fail('ENETDOWN');
    q.xdpRedirect++;
    return { record: record(packet, 'xdp', 'XDP_REDIRECT', opts), next: transmit(devs, packet, target.ifindex) };
  }
  q.xdpRedirect++;
  if (t.kind === 'cpu') return { record: record(packet, 'xdp', 'XDP_REDIRECT', opts), next: { to: 'tc_ingress', packet: { ...packet, cpu: t.cpu } } };
  return { record: record(packet, 'xdp', 'XDP_REDIRECT', opts), next: { to: 'xsk', packet, queue: t.queue } };
}

/**
 * Applies a TC verdict at `hook`. OK, UNSPEC, PIPE, RECLASSIFY and REPEAT go on (ingress: up the
 * stack, egress: out of the device); SHOT drops; STOLEN, QUEUED and TRAP consume the frame
 * without counting a drop; REDIRECT sends it out of (or, with `ingress`, into) the target device.
 */
export function applyTc(devs: DeviceTable, packet: Packet, hook: 'tc_ingress' | 'tc_egress', action: number, opts: VerdictOptions = {}): Outcome {
  const dev = devs.resolve(packet.ifindex);
  const q = dev.queue(packet.queue);
  const name = TC_NAMES[action] ?? `TC_ACT_INVALID(${action})`;
  switch (action) {
    case TcAction.SHOT:
      if (hook === 'tc_ingress') q.rxDropped++;
      else q.txDropped++;
      return { record: record(packet, hook, name, opts) };
    case TcAction.STOLEN:
    case TcAction.QUEUED:
    case TcAction.TRAP:
      return { record: record(packet, hook, name, opts) };
    case TcAction.REDIRECT: {
      const t = opts.target;
      const target = t?.kind === 'dev' ? devs.get(t.ifindex) : undefined;
      if (!t || t.kind !== 'dev' || !target || !target.up) {
        if (hook === 'tc_ingress') q.rxDropped++;
        else q.txDropped++;
        const error = !t || t.kind !== 'dev' ? 'EINVAL' : !target ? 'ENODEV' : 'ENETDOWN';
        return { record: record(packet, hook, name, opts, { error }) };
      }
      const moved = { ...packet, ifindex: target.ifindex, queue: 0 };
      return { record: record(packet, hook, name, opts), next: t.ingress ? { to: 'tc_ingress', packet: moved } : { to: 'tc_egress', packet: moved } };
    }
    default: {
      const next = hook === 'tc_ingress' ? { to: 'stack' as const, packet } : transmit(devs, packet, dev.ifindex);
      return next ? { record: record(packet, hook, name, opts), next } : { record: record(packet, hook, name, opts) };
    }
  }
}

/** A frame handed up the stack on its device: counted as received and queued for sockets. */
export function passToStack(devs: DeviceTable, sockets: SocketQueue, packet: Packet): void {
  const q = devs.resolve(packet.ifindex).queue(packet.queue);
  q.rxPackets++;
  q.rxBytes += packet.frame.length;
  sockets.push({ time: packet.time, ifindex: packet.ifindex, cpu: packet.cpu, tuple: tupleOf(packet.frame), len: packet.frame.length, frame: packet.frame });
}

/**
 * Sends a frame out of device `ifindex`: counted as transmitted (or `tx_dropped` when the device
 * is down or the frame is longer than MTU + 14); a veth's peer (and lo itself) then receives it.
 * Returns the next step, or undefined when the frame was dropped.
 */
export function transmit(devs: DeviceTable, packet: Packet, ifindex: number): NextStep | undefined {
  const dev = devs.resolve(ifindex);
  const q = dev.queue(ifindex === packet.ifindex ? packet.queue : 0);
  if (!dev.up || packet.frame.length > dev.mtu + 14) {
    q.txDropped++;
    return undefined;
  }
  q.txPackets++;
  q.txBytes += packet.frame.length;
  const out = { ...packet, ifindex, queue: 0 };
  if (dev.kind === 'loopback') return { to: 'xdp', packet: out };
  if (dev.kind === 'veth' && dev.peer !== undefined) {
    const peer = devs.get(dev.peer);
    if (!peer || !peer.up) return undefined;
    // veth_xmit: the peer receives on the queue of the same index, on the sending CPU.
    return { to: 'xdp', packet: { ...out, ifindex: peer.ifindex, queue: packet.queue % peer.queues.length } };
  }
  return { to: 'wire', packet: out };
}

/** One flow-log line: `12.5us if2 q1 cpu1 xdp prog 7 XDP_DROP tcp 10.0.0.2:40000 > 10.0.0.1:80 len 60`. */
export function formatFlowRecord(r: FlowRecord): string {
  const parts = [`${(r.time / 1000).toFixed(1)}us`, `if${r.ifindex}`, `q${r.queue}`, `cpu${r.cpu}`, r.hook];
  if (r.progId !== undefined) parts.push(`prog ${r.progId}`);
  parts.push(r.action);
  if (r.target) parts.push(`-> ${r.target}`);
  if (r.error) parts.push(`(${r.error})`);
  parts.push(r.tuple ? formatTuple(r.tuple) : 'non-ip', `len ${r.len}`);
  return parts.join(' ');
}
