import type { NatsConnection } from '@nats-io/transport-node';
import { SimSubjects, toBase64 } from '@bpfhive/uapi';
import type { FlowLog } from '../core/hooks/flow-log.js';
import type { HookOutputs } from '../core/hooks/hooks.js';
import { wireFlowRecord } from './sim-convert.js';

/** Flow log records published after one batch, at most: the newest are kept, the others counted as dropped. */
export const FLOWLOG_PER_BATCH = 256;

/**
 * The hooks' outputs on NATS: each ring buffer record on `bpf.v1.map.<id>.ringbuf` (RingbufRecord),
 * each AF_XDP frame on `bpf.v1.sim.xsk`, and after every batch the new flow log records on
 * `bpf.v1.sim.flowlog` (FlowLogRecord), at most FLOWLOG_PER_BATCH of them. `watch` names the
 * flow log once the simulation exists.
 */
export class NatsSimOutputs implements HookOutputs {
  #log: FlowLog | undefined;
  #next = 0;
  /** Flow log records published, and left out (more than FLOWLOG_PER_BATCH in a batch). */
  published = 0;
  dropped = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly perBatch = FLOWLOG_PER_BATCH,
  ) {}

  watch(log: FlowLog): void {
    this.#log = log;
    this.#next = log.total;
  }

  ringbuf(mapId: number, sample: Uint8Array): void {
    this.nc.publish(SimSubjects.ringbuf(mapId), JSON.stringify({ data: toBase64(sample) }));
  }

  xsk(ifindex: number, queue: number, frame: Uint8Array): void {
    this.nc.publish(SimSubjects.xsk, JSON.stringify({ ifindex, queue, frame: toBase64(frame) }));
  }

  afterBatch(): void {
    const log = this.#log;
    if (!log || log.total === this.#next) return;
    const { records, next, skipped } = log.read(this.#next, this.perBatch);
    this.#next = next;
    this.dropped += skipped;
    for (const record of records) this.nc.publish(SimSubjects.flowlog, JSON.stringify(wireFlowRecord(record)));
    this.published += records.length;
  }
}
