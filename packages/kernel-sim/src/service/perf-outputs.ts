import type { NatsConnection } from '@nats-io/transport-node';
import { type PerfRecordMessage, SimSubjects, toBase64 } from '@bpfhive/uapi';
import type { PerfRecord, PerfSink } from '../core/perf/perf-events.js';

/** The wire form of a perf record (uapi PerfRecordSchema). */
export const wirePerfRecord = (record: PerfRecord): PerfRecordMessage =>
  'data' in record ? { cpu: record.cpu, data: toBase64(record.data) } : { cpu: record.cpu, lost: record.lost };

/** PerfEvents' sink on NATS: each record of map `<id>` published on `bpf.v1.map.<id>.perf`, in order. */
export function natsPerfSink(nc: NatsConnection): PerfSink {
  return (mapId, records) => {
    const subject = SimSubjects.perf(mapId);
    for (const record of records) nc.publish(subject, JSON.stringify(wirePerfRecord(record)));
  };
}
