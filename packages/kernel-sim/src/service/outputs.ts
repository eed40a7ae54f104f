import type { NatsConnection } from '@nats-io/transport-node';
import { Subjects } from '@bpfhive/uapi';
import type { TraceOutput } from '../core/ports.js';

/** bpf_trace_printk's lines, published on `bpf.v1.trace_pipe`, one message per line. */
export function natsTracePipe(nc: NatsConnection): TraceOutput {
  return { line: (text) => nc.publish(Subjects.tracePipe, text) };
}
