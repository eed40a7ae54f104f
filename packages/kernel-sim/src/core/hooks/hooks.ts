import { MapType } from '@bpfhive/uapi';
import type { HookSink, Packet, WorldEvent } from '../../world/index.js';
import type { Kernel } from '../kernel.js';
import type { HookPoints } from '../links/hook-points.js';
import type { LoadedProgram } from '../programs/program.js';
import { CgroupHooks } from './cgroup.js';
import { HookCounters } from './counters.js';
import { FlowLog } from './flow-log.js';
import { PacketPath } from './packet-path.js';
import { PerfSampling } from './perf-sampling.js';
import { TaskCache } from './tasks.js';
import { TimerFiring } from './timer-firing.js';
import { TracingHooks } from './tracing.js';
import type { SimWorld } from './world.js';

/** Where the hooks' outputs go (the service publishes them on NATS); every one is optional. */
export interface HookOutputs {
  /** A record a program submitted to ring buffer `mapId`, as a libbpf ring_buffer callback gets it (drained after every batch). */
  ringbuf?(mapId: number, sample: Uint8Array): void;
  /** A frame an XDP program redirected to the AF_XDP socket `queue` of device `ifindex`. */
  xsk?(ifindex: number, queue: number, frame: Uint8Array): void;
  /** After every batch: the flow log may have new records. */
  afterBatch?(): void;
}

export interface HooksOptions {
  /** Flow log records kept (default 4096). */
  readonly flowLogCapacity?: number;
}

/** The consumer side of maps-store's RINGBUF engine. */
interface RingConsumer {
  consume(callback: (sample: Uint8Array) => void): number;
  availableData(): number;
}

/**
 * The world's HookSink: runs the programs attached to each event's hook, in time order — frames
 * through the network path (packet-path.ts, XDP in batches), tracepoints and kernel function
 * entries and exits through the tracing hooks (connect and bind run the cgroup sock_addr
 * programs inside the system call, through the world's SockAddrHook, CgroupHooks). After every
 * batch the ring buffers of attached programs are drained to `ringbuf`, as a user-space consumer
 * would, and the arena passes a grace period (blocks freed during the batch become reusable).
 */
export class Hooks implements HookSink {
  readonly counters = new HookCounters();
  readonly flowLog: FlowLog;
  readonly packets: PacketPath;
  readonly tracing: TracingHooks;
  readonly cgroups: CgroupHooks;
  readonly sampling: PerfSampling;
  readonly timers: TimerFiring;

  constructor(
    private readonly kernel: Kernel,
    private readonly points: HookPoints,
    private readonly world: SimWorld,
    private readonly outputs: HookOutputs = {},
    options: HooksOptions = {},
  ) {
    this.flowLog = new FlowLog(options.flowLogCapacity);
    const tasks = new TaskCache();
    const common = { kernel, points, counters: this.counters, tasks };
    this.cgroups = new CgroupHooks({ ...common, world, flowLog: this.flowLog });
    world.processes.sockAddrHook = this.cgroups;
    this.tracing = new TracingHooks(common);
    this.timers = new TimerFiring({ kernel, now: () => world.now });
    // One virtual time line: the timers due before each sample fire first (perf-sampling.ts).
    this.sampling = new PerfSampling({ ...common, world, beforeSample: (time) => this.timers.until(time) });
    this.packets = new PacketPath({ kernel, points, world, cgroups: this.cgroups, counters: this.counters, flowLog: this.flowLog, xsk: (i, q, f) => outputs.xsk?.(i, q, f) });
  }

  fire(batch: readonly WorldEvent[]): void {
    // Kernel objects follow the world once per batch, and only for batches with task events.
    if (batch.some((e) => e.kind !== 'packet')) this.world.syncObjects();
    let i = 0;
    while (i < batch.length) {
      const event = batch[i]!;
      this.sampling.until(event.time);
      this.timers.until(event.time);
      this.world.advance(event.time);
      if (event.kind === 'packet') {
        const packets: Packet[] = [];
        for (; i < batch.length && batch[i]!.kind === 'packet'; i++) packets.push((batch[i] as { packet: Packet }).packet);
        this.world.advance(batch[i - 1]!.time);
        this.packets.receive(packets);
        continue;
      }
      this.tracing.fire(event);
      i++;
    }
    this.afterBatch();
  }

  /**
   * Moves virtual time on to `time` with no world events: the sampling perf events' programs run
   * for every period that passes, and the bpf_timers that expire fire (then the batch's
   * aftermath). An earlier time only fires the timers due on the kernel's clock.
   */
  advanceTo(time: number): void {
    this.sampling.until(time);
    this.timers.until(time);
    this.world.advance(time);
    this.afterBatch();
  }

  /** Frames a host task sends (cgroup skb egress for `cgroupId`, TC egress, out of the device), then the batch's aftermath. */
  send(packets: readonly Packet[], cgroupId?: bigint): void {
    for (const p of packets) this.packets.send(p, cgroupId);
    this.afterBatch();
  }

  /** Drains ring buffers, tells the outputs, and lets the arena reuse what the batch freed. */
  afterBatch(): void {
    this.#drainRings(this.#attachedPrograms());
    this.outputs.afterBatch?.();
    if (!this.kernel.cpus.some((cpu) => cpu.busy)) this.kernel.arena.quiescent();
  }

  /**
   * After BPF_PROG_TEST_RUN of `program` (attached or not): the records it submitted to its ring
   * buffers go out as a batch's do, for a consumer that polls those rings. Call it while the
   * program is held, so its maps are alive.
   */
  afterTestRun(program: LoadedProgram): void {
    this.#drainRings([program]);
  }

  *#attachedPrograms(): Generator<LoadedProgram> {
    for (const key of this.points.keys()) for (const link of this.points.list(key)) yield link.program;
  }

  #drainRings(programs: Iterable<LoadedProgram>): void {
    const out = this.outputs.ringbuf?.bind(this.outputs);
    if (!out) return;
    const seen = new Set<number>();
    for (const program of programs) {
      for (const { id, map } of program.maps) {
        if (map.spec.map_type !== MapType.RINGBUF || seen.has(id) || !('consume' in map)) continue;
        seen.add(id);
        const ring = map as unknown as RingConsumer;
        if (ring.availableData() > 0) ring.consume((sample) => out(id, sample.slice()));
      }
    }
  }
}
