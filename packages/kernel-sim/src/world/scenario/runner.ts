/**
 * Runs a scenario: builds its devices, files and processes, then turns its traffic and timeline
 * into one time-ordered stream of world events, handed out in batches. Deterministic: the same
 * scenario gives the same events, byte for byte.
 *
 * Frames become PacketEvents on the CPU RSS picks (a frame for a down device is counted as
 * rx_dropped and produces no event). Timeline entries become their system call's hook events; a
 * call starts at its `at`, or when the previous call's events end if that is later. The verdict
 * model (net/verdict.ts) works on `devices` and `sockets` when the core reports what programs
 * decided.
 */
import { BpfError } from '@bpfhive/uapi';
import type { WorldEvent } from '../events.js';
import { DeviceTable } from '../net/device-table.js';
import { arrive } from '../net/packet.js';
import { readPcap } from '../net/pcap/reader.js';
import { replayPcap } from '../net/pcap/replay.js';
import { SocketQueue } from '../net/socket-queue.js';
import type { TimedFrame } from '../net/timed-frame.js';
import { TrafficGenerator } from '../net/traffic/generator.js';
import type { HookSink, KernelObjects, UserMemory } from '../ports.js';
import { Processes } from '../proc/processes.js';
import { DEFAULT_FILES, Vfs } from '../proc/vfs.js';
import { ScenarioError } from './errors.js';
import { mergeSources, type EventSource } from './merge.js';
import type { Scenario, TimelineEntry } from './types.js';

/** Reads files a scenario names (pcap captures), relative to the scenario file. */
export interface ScenarioFiles {
  read(path: string): Uint8Array;
}

export interface RunnerPorts {
  readonly memory: UserMemory;
  readonly objects?: KernelObjects;
  /** Needed when the scenario replays pcap files. */
  readonly files?: ScenarioFiles;
}

export interface WorldBatch {
  /** Time of the first and the last event. */
  readonly start: number;
  readonly end: number;
  readonly events: readonly WorldEvent[];
}

export interface RunSummary {
  readonly batches: number;
  readonly packets: number;
  readonly hookEvents: number;
  /** Time of the last event (0 when there were none). */
  readonly end: number;
}

export class ScenarioRunner {
  readonly devices = new DeviceTable();
  readonly processes: Processes;
  readonly sockets = new SocketQueue();
  readonly #sources: EventSource[] = [];
  #started = false;

  constructor(
    readonly scenario: Scenario,
    ports: RunnerPorts,
  ) {
    const fail = (line: number, field: string, e: unknown): never => {
      throw new ScenarioError(scenario.file, line, 1, field, e instanceof Error ? e.message : String(e));
    };
    for (const d of scenario.devices) {
      try {
        if (d.kind === 'veth' && d.peer) this.devices.createVethPair(d, d.peer);
        else this.devices.create(d);
      } catch (e) {
        fail(0, `devices.${d.name}`, e);
      }
    }
    const v4 = this.#firstAddress(4) ?? '10.0.0.1';
    const v6 = this.#firstAddress(6) ?? 'fd00::1';
    this.processes = new Processes({
      cpus: scenario.cpus, memory: ports.memory, ...(ports.objects ? { objects: ports.objects } : {}),
      vfs: new Vfs({ ...DEFAULT_FILES, ...scenario.files }), localAddress: { 4: v4, 6: v6 },
    });
    for (const p of scenario.processes) {
      try {
        this.processes.spawn(p);
      } catch (e) {
        fail(0, `processes.${p.pid}`, e);
      }
    }
    for (const t of scenario.traffic) {
      let frames: Iterator<TimedFrame>;
      try {
        if (t.kind === 'generator') {
          frames = new TrafficGenerator(t.spec);
        } else {
          if (!ports.files) throw new BpfError('EINVAL', `replaying ${t.path} needs a ScenarioFiles port`);
          frames = replayPcap(readPcap(ports.files.read(t.path)), t.replay);
        }
      } catch (e) {
        fail(t.line, 'traffic', e);
      }
      this.#sources.push(this.#packetSource(t.device, frames!));
    }
    this.#sources.push(this.#timelineSource(scenario.timeline));
  }

  /** The stream in batches of at most `maxEvents`; a runner runs once. */
  *batches(maxEvents = 1024): Generator<WorldBatch> {
    if (this.#started) throw new BpfError('EINVAL', 'scenario runner: already run');
    this.#started = true;
    let events: WorldEvent[] = [];
    for (const e of mergeSources(this.#sources, this.scenario.end)) {
      events.push(e);
      if (events.length >= maxEvents) {
        yield { start: events[0]!.time, end: e.time, events };
        events = [];
      }
    }
    if (events.length) yield { start: events[0]!.time, end: events.at(-1)!.time, events };
  }

  /** Runs the whole scenario into `sink`. */
  run(sink: HookSink, maxEvents = 1024): RunSummary {
    let batches = 0;
    let packets = 0;
    let hookEvents = 0;
    let end = 0;
    for (const b of this.batches(maxEvents)) {
      sink.fire(b.events);
      batches++;
      for (const e of b.events) {
        if (e.kind === 'packet') packets++;
        else hookEvents++;
      }
      end = b.end;
    }
    return { batches, packets, hookEvents, end };
  }

  #firstAddress(family: 4 | 6): string | undefined {
    return this.devices.list().find((d) => d.kind !== 'loopback' && d.addresses.some((a) => a.family === family))?.addresses.find((a) => a.family === family)?.address;
  }

  #packetSource(device: string, frames: Iterator<TimedFrame>): EventSource {
    let next = frames.next();
    const devices = this.devices;
    const cpus = this.scenario.cpus;
    return {
      peek: () => (next.done ? undefined : next.value.time),
      take: () => {
        const { time, frame } = next.value as TimedFrame;
        next = frames.next();
        const dev = devices.resolve(device);
        if (!dev.up) {
          dev.queue(0).rxDropped++;
          return undefined;
        }
        const packet = arrive(dev, frame, time, cpus);
        return { kind: 'packet', time, cpu: packet.cpu, packet };
      },
    };
  }

  #timelineSource(timeline: readonly TimelineEntry[]): EventSource {
    let index = 0;
    let busyUntil = 0;
    let buffer: WorldEvent[] = [];
    const run = (entry: TimelineEntry): void => {
      try {
        const out = this.processes.syscall(Math.max(entry.at, busyUntil), entry.pid, entry.request);
        buffer = out.events;
        busyUntil = out.end;
      } catch (e) {
        throw new ScenarioError(this.scenario.file, entry.line, 1, `timeline (${entry.request.syscall} by pid ${entry.pid})`, e instanceof Error ? e.message : String(e));
      }
    };
    return {
      peek: () => buffer[0]?.time ?? (index < timeline.length ? Math.max(timeline[index]!.at, busyUntil) : undefined),
      take: () => {
        if (buffer.length === 0) run(timeline[index++]!);
        return buffer.shift();
      },
    };
  }
}
