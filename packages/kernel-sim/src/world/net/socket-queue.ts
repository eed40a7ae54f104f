/**
 * Where frames passed up the stack end: a bounded queue standing for the machine's sockets, so
 * a test or a user can see what reached user space, and counters per destination port.
 */
import type { FiveTuple } from './flow.js';
import { protoName } from './flow.js';

export interface Delivery {
  readonly time: number;
  readonly ifindex: number;
  readonly cpu: number;
  readonly tuple: FiveTuple | undefined;
  readonly len: number;
  readonly frame: Uint8Array;
}

export class SocketQueue {
  readonly #items: Delivery[] = [];
  readonly #byPort = new Map<string, number>();
  /** Deliveries dropped because the queue was full (oldest first out). */
  overflow = 0;

  constructor(readonly capacity = 1024) {}

  push(d: Delivery): void {
    if (this.#items.length >= this.capacity) {
      this.#items.shift();
      this.overflow++;
    }
    this.#items.push(d);
    const key = d.tuple ? `${protoName(d.tuple.proto)}/${d.tuple.dport}` : 'other';
    this.#byPort.set(key, (this.#byPort.get(key) ?? 0) + 1);
  }

  /** Takes up to `max` deliveries, oldest first. */
  drain(max = Infinity): Delivery[] {
    return this.#items.splice(0, Math.min(max, this.#items.length));
  }

  get length(): number {
    return this.#items.length;
  }

  /** Deliveries counted by `proto/port` (`tcp/80`), or `other` for non-IP frames; never reset by drain. */
  countsByPort(): ReadonlyMap<string, number> {
    return this.#byPort;
  }
}
