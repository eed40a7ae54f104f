/**
 * What the kernel-sim publishes while programs run, collected by an example: ring buffer records
 * (`bpf.v1.map.<id>.ringbuf`, as a libbpf ring_buffer callback receives them) and the flow log
 * of packet verdicts (`bpf.v1.sim.flowlog`, as Hubble shows them).
 */
import { type FlowLogRecord, SimSubjects } from '@bpfhive/uapi';
import { type BpfClient, RingBufReader } from '../client/index.js';
import { until } from './bytes.js';

/** Messages gathered from one subject until `stop()`. */
export interface Collector<T> {
  readonly items: T[];
  /** Waits (up to `ms`) until at least `count` items came; resolves either way. */
  waitFor(count: number, ms?: number): Promise<void>;
  /**
   * Resolves once every message published before the kernel-sim's last reply has been taken:
   * the kernel-sim publishes a run's outputs before it replies, on one connection, so they
   * arrive first.
   */
  settle(): Promise<void>;
  stop(): void;
}

async function collect<T>(client: BpfClient, subject: string, decode: (json: unknown) => T): Promise<Collector<T>> {
  const items: T[] = [];
  const sub = client.nc.subscribe(subject, { callback: (_e, msg) => void items.push(decode(msg.json())) });
  await client.nc.flush();
  return {
    items,
    async waitFor(count, ms = 5000) {
      await client.nc.flush();
      await until(() => items.length >= count, ms);
    },
    settle: () => client.nc.flush(),
    stop: () => sub.unsubscribe(),
  };
}

/** The records programs submit to ring buffer map `mapId`, each decoded by `decode` (a RingBufReader's callback). */
export async function collectRingbuf<T>(client: BpfClient, mapId: number, decode: (data: Uint8Array) => T): Promise<Collector<T>> {
  const items: T[] = [];
  const reader = await RingBufReader.open(client, mapId, (data) => void items.push(decode(data)));
  return {
    items,
    async waitFor(count, ms = 5000) {
      await client.nc.flush();
      const deadline = Date.now() + ms;
      reader.consume();
      while (items.length < count && !reader.closed && Date.now() < deadline) await reader.poll(deadline - Date.now());
    },
    async settle() {
      await client.nc.flush();
      reader.consume();
    },
    stop: () => reader.close(),
  };
}

/** Every packet verdict of every hook. */
export function collectFlowLog(client: BpfClient): Promise<Collector<FlowLogRecord>> {
  return collect(client, SimSubjects.flowlog, (json) => json as FlowLogRecord);
}
