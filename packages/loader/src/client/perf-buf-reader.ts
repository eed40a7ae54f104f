import { MapType, type PerfRecordMessage, SimSubjects, fromBase64 } from '@bpfhive/uapi';
import type { BpfClient } from './bpf-client.js';
import { BpfSyscallError } from './errors.js';
import { RecordQueue } from './record-queue.js';

/** One perf buffer record: a sample from a CPU, or how many samples that CPU's buffer lost. */
export type PerfRecord = { readonly cpu: number; readonly data: Uint8Array } | { readonly cpu: number; readonly lost: number };

/** A PERF_EVENT_ARRAY slot and the CPU whose event goes in it. */
export interface PerfSlot {
  readonly cpu: number;
  readonly index: number;
}

export interface PerfBufOptions {
  /** Data pages of each CPU's buffer, a power of two (default 8, libbpf's callers' usual). */
  readonly pageCnt?: number;
  /** perf_buffer_sample_fn: a sample a program wrote from `cpu`. */
  readonly sample?: (cpu: number, data: Uint8Array) => void;
  /** perf_buffer_lost_fn: `count` samples of `cpu` did not fit its buffer. */
  readonly lost?: (cpu: number, count: number) => void;
  /** Which slots to fill with an event on which CPU (perf_buffer__new_raw); default slot i ← CPU i for every CPU the kernel has, up to max_entries. */
  readonly slots?: readonly PerfSlot[];
}

const DEFAULT_PAGE_CNT = 8;
const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

/**
 * Reads a BPF_MAP_TYPE_PERF_EVENT_ARRAY, as libbpf's perf_buffer__new / __poll / __consume /
 * __free and cilium/ebpf's perf.Reader do: it opens a BPF output perf event per CPU
 * (bpf.v1.perf_event_open, `pageCnt` pages each) and puts each in the CPU's slot, so
 * bpf_perf_event_output(…, BPF_F_CURRENT_CPU, …) reaches it; the kernel-sim publishes the samples
 * and lost counts on `bpf.v1.map.<id>.perf` after each batch. Only records of this reader's CPUs
 * are taken. close() empties its slots and closes its events, as perf_buffer__free does.
 */
export class PerfBufReader {
  readonly #queue = new RecordQueue<PerfRecord>();
  readonly #opened: { slot: PerfSlot; event: number }[] = [];

  private constructor(
    private readonly client: BpfClient,
    readonly mapId: number,
    private readonly options: PerfBufOptions,
  ) {}

  /**
   * perf_buffer__new(map, page_cnt, sample_cb, lost_cb): EINVAL when the map is not a perf event
   * array (or a slot is past its end), ENOENT when there is none; what perf_event_open and the
   * slot updates answer otherwise (nothing is left open after a failure).
   */
  static async open(client: BpfClient, mapId: number, options: PerfBufOptions = {}): Promise<PerfBufReader> {
    const info = await client.mapInfo(mapId);
    if (info.map_type !== MapType.PERF_EVENT_ARRAY) throw new BpfSyscallError('EINVAL', `perf buffer reader: map ${mapId} is a ${info.type_name}, not a perf_event_array`);
    const reader = new PerfBufReader(client, mapId, options);
    try {
      await reader.#start(info.max_entries);
    } catch (e) {
      await reader.close();
      throw e;
    }
    return reader;
  }

  /** The CPUs whose events this reader put in the map. */
  get cpus(): number[] {
    return this.#opened.map((o) => o.slot.cpu);
  }

  async #start(maxEntries: number): Promise<void> {
    const pageCnt = this.options.pageCnt ?? DEFAULT_PAGE_CNT;
    const explicit = this.options.slots;
    for (const slot of explicit ?? []) {
      if (slot.index >= maxEntries) throw new BpfSyscallError('EINVAL', `perf buffer reader: slot ${slot.index} is past map ${this.mapId}'s ${maxEntries} entries`);
    }
    const mine = new Set<number>();
    await this.#queue.listen(this.client.nc, SimSubjects.perf(this.mapId), (json) => {
      const r = json as PerfRecordMessage;
      if (!mine.has(r.cpu)) return undefined;
      return r.data !== undefined ? { cpu: r.cpu, data: fromBase64(r.data, 'data') } : { cpu: r.cpu, lost: r.lost ?? 0 };
    });
    const slots = explicit ?? Array.from({ length: maxEntries }, (_, i) => ({ cpu: i, index: i }));
    for (const slot of slots) {
      let event: number;
      try {
        event = await this.client.perfEventOpen({ cpu: slot.cpu, page_cnt: pageCnt });
      } catch (e) {
        // Past the kernel's last CPU: a map sized larger than the machine, as libbpf skips offline CPUs.
        if (!explicit && slot.cpu > 0 && e instanceof BpfSyscallError && e.code === 'EINVAL') break;
        throw e;
      }
      this.#opened.push({ slot, event });
      mine.add(slot.cpu);
      await this.client.mapUpdate(this.mapId, u32(slot.index), u32(event));
    }
  }

  /** perf_buffer__poll: waits up to `timeoutMs` (negative: until a record comes or close; 0: not at all), then consume(). */
  async poll(timeoutMs: number): Promise<number> {
    await this.#queue.wait(timeoutMs);
    return this.consume();
  }

  /** perf_buffer__consume: every queued record to the sample or lost callback; how many. */
  consume(): number {
    const records = this.#queue.drain();
    for (const r of records) {
      if ('data' in r) this.options.sample?.(r.cpu, r.data);
      else this.options.lost?.(r.cpu, r.lost);
    }
    return records.length;
  }

  /** The records as they come, until close(). */
  [Symbol.asyncIterator](): AsyncIterator<PerfRecord> {
    return this.#queue[Symbol.asyncIterator]();
  }

  /** perf_buffer__free: stops reading, empties the slots it filled and closes its events (a slot or event gone already is fine). */
  async close(): Promise<void> {
    this.#queue.close();
    const opened = this.#opened.splice(0);
    for (const { slot, event } of opened) {
      await this.client.mapDelete(this.mapId, u32(slot.index)).catch(ignoreGone);
      await this.client.perfEventClose(event).catch(ignoreGone);
    }
  }
}

function ignoreGone(e: unknown): void {
  if (e instanceof BpfSyscallError && (e.code === 'ENOENT' || e.code === 'EBADF')) return;
  throw e;
}
