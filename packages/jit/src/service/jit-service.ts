import type { NatsConnection } from '@nats-io/transport-node';
import { type Service, Svcm } from '@nats-io/services';
import { type JitReply, type JitRequest, JitRequestSchema, QueueGroups, ServiceNames, Subjects, serve, serviceStatsHandler } from '@bpfhive/uapi';

export interface JitServiceOptions {
  readonly version: string;
  /** Replaces the core, e.g. in tests; the default compiles with compileRequest. */
  readonly compile: (request: JitRequest) => JitReply;
}

/**
 * The NATS adapter of the jit: the micro service `jit` in queue group `jit`, one endpoint on
 * `bpf.v1.internal.jit`. Each request is validated against its schema, compiled, and answered;
 * any failure is an error reply (errno in the Nats-Service-Error-Code header, WireError body),
 * never a crash.
 */
export async function startJitService(nc: NatsConnection, options: JitServiceOptions): Promise<Service> {
  // @nats-io/services is built on its own copy of nats-core; the connection is the same object.
  const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
  const service = await svcm.add({
    name: ServiceNames.jit,
    version: options.version,
    description: 'compiles verified eBPF programs to WebAssembly',
    queue: QueueGroups.jit,
    statsHandler: serviceStatsHandler(),
  });
  service.addEndpoint('compile', {
    subject: Subjects.internalJit,
    handler: (err, msg) => {
      if (err) return;
      serve<JitRequest>(msg, JitRequestSchema, (request) => options.compile(request));
    },
    metadata: { request_schema: 'bpf.v1.internal.jit.request', reply_schema: 'bpf.v1.internal.jit.reply' },
  });
  return service;
}
