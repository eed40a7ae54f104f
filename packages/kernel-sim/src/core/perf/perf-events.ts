import type { PerfEventInfo, PerfEventPort } from '@bpfhive/maps-store';
import { BpfError, Errno } from '@bpfhive/uapi';

/** perf_event_attr.type / config of the kinds of perf event bpfhive has: a BPF output event, and the CPU clock that samples. */
export const PERF_TYPE_SOFTWARE = 1;
export const PERF_COUNT_SW_CPU_CLOCK = 0;
export const PERF_COUNT_SW_BPF_OUTPUT = 10;
/** sysctl kernel.perf_event_max_sample_rate's default: the highest sample_freq (Hz). */
export const PERF_MAX_SAMPLE_RATE = 100000;
/** The shortest cpu-clock period, ns (perf_swevent_set_period's floor). */
const MIN_CLOCK_PERIOD_NS = 10000;

const PAGE = 4096;
/** Default data pages of an event's buffer (libbpf's perf_buffer__new callers commonly pass 8 to 64). */
export const DEFAULT_PERF_PAGES = 8;
/** What one PERF_RECORD_SAMPLE with PERF_SAMPLE_RAW takes in the buffer: header, raw size, then the data padded to 8. */
const recordBytes = (size: number): number => 8 + (((4 + size + 7) >> 3) << 3);

/** What a perf buffer reader receives of one map: a sample a program wrote from `cpu`, or how many were lost there. */
export type PerfRecord = { readonly cpu: number; readonly data: Uint8Array } | { readonly cpu: number; readonly lost: number };

/** Where records go: all records of map `mapId` since the last flush, in order. */
export type PerfSink = (mapId: number, records: readonly PerfRecord[]) => void;

export interface PerfEventOpenAttr {
  /** The CPU the event counts on (perf_event_open's `cpu`); -1 (any CPU) is not a BPF output event's. */
  readonly cpu: number;
  /** perf_event_attr.type and .config; default PERF_TYPE_SOFTWARE / PERF_COUNT_SW_BPF_OUTPUT. */
  readonly type?: number;
  readonly config?: number;
  /** Data pages of its buffer (the mmap a reader makes), a power of two; default DEFAULT_PERF_PAGES. */
  readonly page_cnt?: number;
  /** A cpu-clock event's sampling: every `sample_period` ns, or with `freq` `sample_freq` times a second. */
  readonly sample_period?: number;
  readonly sample_freq?: number;
  readonly freq?: boolean;
}

/** A sampling event: the CPU clock of `cpu`, firing every `periodNs` of virtual time (perf_event_open with sample_period or sample_freq). */
export interface SamplingEvent {
  readonly id: number;
  readonly cpu: number;
  readonly type: number;
  readonly config: number;
  readonly periodNs: number;
}

interface PerfEvent {
  readonly info: PerfEventInfo;
  /** A cpu-clock event's sampling; absent for BPF output events. */
  readonly sampling?: SamplingEvent;
  readonly capacity: number;
  /** The handle (close) and every map slot holding it. */
  refs: number;
  open: boolean;
  /** Bytes of samples waiting in its buffer for the next flush. */
  used: number;
}

/** What waits for the next flush of one map: its samples in the order programs wrote them, and samples lost per CPU. */
interface Waiting {
  readonly records: PerfRecord[];
  readonly lost: Map<number, number>;
}

/**
 * The kernel's perf events, as far as BPF needs them: BPF output events (perf_event_open with
 * PERF_TYPE_SOFTWARE / PERF_COUNT_SW_BPF_OUTPUT on one CPU), each with a buffer of `page_cnt`
 * pages that a reader drains. User space puts an event's id into a PERF_EVENT_ARRAY slot (a map
 * update, as Linux takes the event's fd); bpf_perf_event_output then writes samples to it.
 *
 * Samples wait in the event's buffer until the flush `schedule` runs (by default a microtask, so
 * after the hook batch or test run that wrote them), which hands each map's records to `sink`, as
 * a reader's poll would find them. A sample that does not fit what is waiting is lost, counted and
 * reported as a lost record (PERF_RECORD_LOST), and the helper gets -ENOSPC, as perf_output_begin
 * answers when the ring is full.
 */
export class PerfEvents {
  readonly #events = new Map<number, PerfEvent>();
  readonly #waiting = new Map<number, Waiting>();
  #next = 1;
  #flushScheduled = false;

  constructor(
    private readonly cpus: number,
    private readonly sink: PerfSink,
    private readonly schedule: (flush: () => void) => void = queueMicrotask,
  ) {}

  /**
   * perf_event_open: a BPF output event, or a cpu-clock event that samples (a PERF_EVENT program
   * attaches to it with link_create), on `cpu`, returning its id (the fd). EINVAL for a CPU this
   * kernel does not have, a page count that is not a power of two, or sampling that is not one of
   * sample_period / freq with sample_freq ≤ PERF_MAX_SAMPLE_RATE; EOPNOTSUPP for any other kind.
   */
  open(attr: PerfEventOpenAttr): number {
    const type = attr.type ?? PERF_TYPE_SOFTWARE;
    const config = attr.config ?? PERF_COUNT_SW_BPF_OUTPUT;
    if (type !== PERF_TYPE_SOFTWARE || (config !== PERF_COUNT_SW_BPF_OUTPUT && config !== PERF_COUNT_SW_CPU_CLOCK)) {
      throw new BpfError('EOPNOTSUPP', `perf_event_open: only BPF output events (type 1, config 10) and the CPU clock (type 1, config 0) exist here, not type ${type} config ${config}`);
    }
    if (!Number.isInteger(attr.cpu) || attr.cpu < 0 || attr.cpu >= this.cpus) throw new BpfError('EINVAL', `perf_event_open: cpu ${attr.cpu} is not one of this kernel's ${this.cpus} CPUs`);
    if (config === PERF_COUNT_SW_CPU_CLOCK) return this.#openClock(attr);
    const pages = attr.page_cnt ?? DEFAULT_PERF_PAGES;
    if (!Number.isInteger(pages) || pages < 1 || (pages & (pages - 1)) !== 0 || pages > 65536) {
      throw new BpfError('EINVAL', `perf_event_open: page_cnt must be a power of two from 1 to 65536, got ${pages}`);
    }
    const id = this.#next++;
    this.#events.set(id, { info: { bpf_output: true, readable: true, cpu: attr.cpu }, capacity: pages * PAGE, refs: 1, open: true, used: 0 });
    return id;
  }

  #openClock(attr: PerfEventOpenAttr): number {
    const { sample_period: period, sample_freq: hz } = attr;
    let periodNs: number;
    if (attr.freq) {
      if (period !== undefined) throw new BpfError('EINVAL', 'perf_event_open: freq takes sample_freq, not sample_period');
      if (hz === undefined || !Number.isInteger(hz) || hz < 1) throw new BpfError('EINVAL', 'perf_event_open: freq needs a sample_freq of at least 1 Hz');
      if (hz > PERF_MAX_SAMPLE_RATE) throw new BpfError('EINVAL', `perf_event_open: sample_freq ${hz} is above kernel.perf_event_max_sample_rate (${PERF_MAX_SAMPLE_RATE})`);
      periodNs = Math.round(1e9 / hz);
    } else {
      if (hz !== undefined) throw new BpfError('EINVAL', 'perf_event_open: sample_freq needs freq');
      if (period === undefined || !Number.isInteger(period) || period < 1) throw new BpfError('EINVAL', 'perf_event_open: a cpu-clock event for BPF samples: give sample_period (ns) or freq with sample_freq');
      periodNs = period;
    }
    const id = this.#next++;
    const sampling = { id, cpu: attr.cpu, type: PERF_TYPE_SOFTWARE, config: PERF_COUNT_SW_CPU_CLOCK, periodNs: Math.max(MIN_CLOCK_PERIOD_NS, periodNs) };
    this.#events.set(id, { info: { bpf_output: false, readable: true, cpu: attr.cpu }, sampling, capacity: DEFAULT_PERF_PAGES * PAGE, refs: 1, open: true, used: 0 });
    return id;
  }

  /** The sampling event with this id; undefined when there is none or it does not sample. */
  sampling(id: number): SamplingEvent | undefined {
    return this.#events.get(id)?.sampling;
  }

  /** Whether an event (of any kind) has this id. */
  exists(id: number): boolean {
    return this.#events.has(id);
  }

  /** close(2) of the event's fd; ENOENT for no such event, EBADF when closed already. Map slots keep it until they let go. */
  close(id: number): void {
    const event = this.#get(id);
    if (!event.open) throw new BpfError('EBADF', `perf event ${id}: closed already`);
    event.open = false;
    this.#put(id, event);
  }

  /** The event's CPU and buffer size; ENOENT when there is no such event. */
  info(id: number): { readonly cpu: number; readonly page_cnt: number } {
    const event = this.#get(id);
    return { cpu: event.info.cpu, page_cnt: event.capacity / PAGE };
  }

  /** Events alive (open, or held by a map slot). */
  get size(): number {
    return this.#events.size;
  }

  /** The PerfEventPort of map `mapId` (createMap's ports): records it outputs are published as that map's. */
  portFor(mapId: number): PerfEventPort {
    return {
      acquire: (id) => {
        const event = this.#events.get(id);
        if (!event) return undefined;
        event.refs++;
        return event.info;
      },
      release: (id) => {
        const event = this.#events.get(id);
        if (event) this.#put(id, event);
      },
      output: (id, cpu, sample) => this.#output(mapId, id, cpu, sample),
    };
  }

  /** Hands every waiting record to the sink, lost counts after each map's samples, and empties the buffers (what the scheduled flush does). */
  flush(): void {
    this.#flushScheduled = false;
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const event of this.#events.values()) event.used = 0;
    for (const [mapId, { records, lost }] of waiting) {
      for (const [cpu, count] of lost) records.push({ cpu, lost: count });
      this.sink(mapId, records);
    }
  }

  #output(mapId: number, id: number, cpu: number, sample: Uint8Array): number {
    const event = this.#events.get(id);
    if (!event) return -Errno.ENOENT;
    let waiting = this.#waiting.get(mapId);
    if (!waiting) this.#waiting.set(mapId, (waiting = { records: [], lost: new Map() }));
    const bytes = recordBytes(sample.length);
    const fits = event.used + bytes <= event.capacity;
    if (fits) {
      event.used += bytes;
      waiting.records.push({ cpu, data: sample });
    } else {
      waiting.lost.set(event.info.cpu, (waiting.lost.get(event.info.cpu) ?? 0) + 1);
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      this.schedule(() => this.flush());
    }
    return fits ? 0 : -Errno.ENOSPC;
  }

  #get(id: number): PerfEvent {
    const event = this.#events.get(id);
    if (!event) throw new BpfError('ENOENT', `perf event ${id}: no such event`);
    return event;
  }

  #put(id: number, event: PerfEvent): void {
    if (--event.refs === 0) this.#events.delete(id);
  }
}
