import { type FlowRecord, type Packet, formatFlowRecord, tupleOf } from '../../world/index.js';

/** The hooks whose packet verdicts the flow log keeps: the world's, and cgroup skb. */
export type FlowHook = FlowRecord['hook'] | 'cgroup_skb_ingress' | 'cgroup_skb_egress';

/** One flow log record: the world's FlowRecord, at any packet hook. */
export type HookFlowRecord = Omit<FlowRecord, 'hook'> & { readonly hook: FlowHook };

/** The record as one line, as the world prints it (`12.5us if2 q1 cpu1 xdp prog 7 XDP_DROP …`). */
export function formatHookFlowRecord(record: HookFlowRecord): string {
  // formatFlowRecord reads the hook only to print it, so any hook name prints right.
  return formatFlowRecord(record as FlowRecord);
}

/** Consecutive records: one made elsewhere, or a run of XDP_DROPs of packets[from, from + count). */
interface Entry {
  /** The number of the entry's first record. */
  readonly first: number;
  readonly count: number;
  readonly record?: HookFlowRecord;
  readonly drops?: { readonly packets: readonly Packet[]; readonly from: number; readonly progId: number; made?: HookFlowRecord[] };
}

/**
 * The flow log: the last `capacity` packet verdicts, oldest overwritten first, numbered from 0.
 * The XDP hot path logs a run of XDP_DROPs as one entry holding the packets (`xdpDrops`): no
 * object per frame and no parsing; a record becomes a HookFlowRecord (its flow parsed from the
 * frame) only when someone reads it. Other verdicts come as the records the world's verdict
 * functions made (`add`).
 */
export class FlowLog {
  #entries: Entry[] = [];
  #head = 0;
  #total = 0;

  constructor(readonly capacity = 4096) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`flow log: capacity ${capacity}`);
  }

  /** Records ever added; the next record's number. */
  get total(): number {
    return this.#total;
  }

  /** XDP_DROP by program `progId` of packets[from, from + count). */
  xdpDrops(packets: readonly Packet[], from: number, count: number, progId: number): void {
    if (count > 0) this.#push({ first: this.#total, count, drops: { packets, from, progId } });
  }

  /** A record made elsewhere (by the world's applyXdp/applyTc, or a cgroup hook). */
  add(record: HookFlowRecord): void {
    this.#push({ first: this.#total, count: 1, record });
  }

  #push(entry: Entry): void {
    this.#entries.push(entry);
    this.#total += entry.count;
    const oldest = this.#total - this.capacity;
    while (this.#head < this.#entries.length && this.#entries[this.#head]!.first + this.#entries[this.#head]!.count <= oldest) this.#head++;
    if (this.#head > 1024) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  /**
   * The records numbered from `from` on that are still in the ring, at most the `max` newest of
   * them; `skipped` counts those between `from` and the first returned that were overwritten or
   * left out. `next` is the number to ask from next time.
   */
  read(from: number, max = Infinity): { records: HookFlowRecord[]; next: number; skipped: number } {
    const first = Math.max(from, this.#total - this.capacity, this.#total - max, 0);
    const records: HookFlowRecord[] = [];
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      for (let n = Math.max(first, entry.first); n < entry.first + entry.count; n++) records.push(this.#record(entry, n - entry.first));
    }
    return { records, next: this.#total, skipped: Math.max(0, first - from) };
  }

  #record(entry: Entry, index: number): HookFlowRecord {
    if (entry.record) return entry.record;
    const drops = entry.drops!;
    drops.made ??= [];
    let record = drops.made[index];
    if (!record) {
      const p = drops.packets[drops.from + index]!;
      const tuple = tupleOf(p.frame);
      record = { time: p.time, ifindex: p.ifindex, queue: p.queue, cpu: p.cpu, hook: 'xdp', progId: drops.progId, action: 'XDP_DROP', len: p.frame.length, ...(tuple && { tuple }) };
      drops.made[index] = record;
    }
    return record;
  }
}
