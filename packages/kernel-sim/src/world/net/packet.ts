/**
 * A frame in flight through the simulated network, and its arrival at a device: RSS picks the
 * receive queue from the flow hash and the queue picks the CPU that runs the device's XDP and
 * TC ingress programs for it.
 */
import type { NetDevice } from './device.js';
import { cpuOfQueue, rssHashOfFrame, rxQueueOf } from './rss.js';

export interface Packet {
  /** Virtual time in ns. */
  readonly time: number;
  /** The device the frame is at now. */
  readonly ifindex: number;
  /** Receive queue on that device. */
  readonly queue: number;
  /** CPU that processes it. */
  readonly cpu: number;
  /** The RSS flow hash (`skb->hash`). */
  readonly hash: number;
  readonly frame: Uint8Array;
}

/** A frame arriving on `dev` at `time` on a machine with `cpus` CPUs. */
export function arrive(dev: NetDevice, frame: Uint8Array, time: number, cpus: number): Packet {
  const hash = rssHashOfFrame(dev.rss, frame);
  const queue = rxQueueOf(dev.rss, hash) % dev.queues.length;
  return { time, ifindex: dev.ifindex, queue, cpu: cpuOfQueue(queue, cpus), hash, frame };
}
