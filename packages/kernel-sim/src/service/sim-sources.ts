import { BpfError, type SimSourceStatus } from '@bpfhive/uapi';
import type { Simulation } from '../core/hooks/simulation.js';
import type { QueueCounters, TimedFrame } from '../world/index.js';

/** Frames handed to the hooks per step of a source. */
export const SOURCE_BATCH = 1024;

interface Source {
  readonly id: number;
  readonly kind: 'traffic' | 'pcap';
  readonly device: string;
  readonly frames: Iterator<TimedFrame>;
  readonly total?: number;
  readonly realtime: boolean;
  /** The virtual time of the first frame, and the wall clock (ns) when it started. */
  readonly virtualStart: number;
  readonly wallStart: number;
  sent: number;
  /** XDP verdicts of the frames sent, from the device's counters around each step. */
  readonly verdicts: Verdicts;
  running: boolean;
  error?: string;
  /** The next frame, read ahead. */
  peek?: TimedFrame;
  timer?: NodeJS.Timeout | NodeJS.Immediate;
  readonly done: Promise<void>;
  finish: () => void;
}

const wallNs = (): number => performance.now() * 1e6;

type Verdicts = NonNullable<SimSourceStatus['verdicts']>;
const VERDICTS = { xdp_pass: 'xdpPass', xdp_drop: 'xdpDrop', xdp_tx: 'xdpTx', xdp_redirect: 'xdpRedirect', xdp_aborted: 'xdpAborted' } as const satisfies Record<keyof Verdicts, keyof QueueCounters>;

/**
 * The frame sources of the simulated world (the traffic generator, pcap replays), running in the
 * background of the service: each step hands up to SOURCE_BATCH frames to the simulation. A
 * real-time source sends a frame once the wall clock since its start passes the frame's virtual
 * time from its first (so `rate` is packets per second of wall time, as far as the kernel keeps
 * up); otherwise steps follow each other as fast as the kernel takes them, yielding to the event
 * loop in between so requests are still served. A source stops at its end, on `stop`, or when the
 * simulation refuses its frames (a device that went away), keeping the reason.
 */
export class FrameSources {
  readonly #sources = new Map<number, Source>();
  #nextId = 1;

  constructor(private readonly sim: Simulation) {}

  start(kind: Source['kind'], device: string, frames: Iterator<TimedFrame>, options: { realtime: boolean; total?: number; virtualStart: number }): Source {
    let finish = (): void => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    const source: Source = {
      id: this.#nextId++, kind, device, frames, realtime: options.realtime, virtualStart: options.virtualStart, wallStart: wallNs(),
      sent: 0, verdicts: { xdp_pass: 0, xdp_drop: 0, xdp_tx: 0, xdp_redirect: 0, xdp_aborted: 0 }, running: true, done, finish, ...(options.total !== undefined && { total: options.total }),
    };
    this.#sources.set(source.id, source);
    this.#schedule(source, 0);
    return source;
  }

  /** Stops source `id`, or every source; ENOENT for an id that names none. */
  stop(id?: number): void {
    if (id === undefined) {
      for (const s of this.#sources.values()) this.#end(s);
      return;
    }
    const source = this.#sources.get(id);
    if (!source) throw new BpfError('ENOENT', `traffic.stop: no source ${id}`);
    this.#end(source);
  }

  status(source: Source): SimSourceStatus {
    return {
      source_id: source.id, kind: source.kind, device: source.device, sent: source.sent, running: source.running, verdicts: { ...source.verdicts },
      ...(source.total !== undefined && { total: source.total }), ...(source.error !== undefined && { error: source.error }),
    };
  }

  list(): SimSourceStatus[] {
    return [...this.#sources.values()].map((s) => this.status(s));
  }

  #schedule(source: Source, delayMs: number): void {
    source.timer = delayMs >= 1 ? setTimeout(() => this.#step(source), delayMs) : setImmediate(() => this.#step(source));
  }

  #step(source: Source): void {
    if (!source.running) return;
    const due = source.realtime ? source.virtualStart + (wallNs() - source.wallStart) : Infinity;
    const batch: TimedFrame[] = [];
    while (batch.length < SOURCE_BATCH) {
      if (!source.peek) {
        const next = source.frames.next();
        if (next.done) break;
        source.peek = next.value;
      }
      if (source.peek.time > due) break;
      batch.push(source.peek);
      source.peek = undefined;
    }
    try {
      if (batch.length > 0) this.#deliver(source, batch);
    } catch (e) {
      source.error = e instanceof Error ? e.message : String(e);
      this.#end(source);
      return;
    }
    if (!source.peek && batch.length < SOURCE_BATCH) {
      const next = source.frames.next();
      if (next.done) return this.#end(source);
      source.peek = next.value;
    }
    const wait = source.realtime && source.peek ? (source.peek.time - source.virtualStart - (wallNs() - source.wallStart)) / 1e6 : 0;
    this.#schedule(source, wait);
  }

  /**
   * Hands a batch to the device and counts its XDP verdicts: the device's counters move only
   * while it takes the batch (the simulation runs it to the end before returning), so their
   * change is what this batch's frames met at the device's XDP hook.
   */
  #deliver(source: Source, batch: readonly TimedFrame[]): void {
    const device = this.sim.world.devices.resolve(source.device);
    const before = device.totals();
    source.sent += this.sim.receive(device.ifindex, batch);
    const after = device.totals();
    for (const [wire, counter] of Object.entries(VERDICTS) as [keyof Verdicts, keyof QueueCounters][]) source.verdicts[wire] += after[counter] - before[counter];
  }

  #end(source: Source): void {
    if (!source.running) return;
    source.running = false;
    if (source.timer) {
      clearTimeout(source.timer as NodeJS.Timeout);
      clearImmediate(source.timer as NodeJS.Immediate);
    }
    source.finish();
  }
}
