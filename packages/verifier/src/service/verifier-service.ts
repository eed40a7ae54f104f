import type { NatsConnection } from '@nats-io/transport-node';
import { type Service, Svcm } from '@nats-io/services';
import { QueueGroups, ServiceNames, Subjects, type VerifyReply, type VerifyRequest, VerifyRequestSchema, serve, serviceStatsHandler } from '@bpfhive/uapi';

export interface VerifierServiceOptions {
  readonly version: string;
  /** The core; the default is verifyRequest. Replaceable in tests. */
  readonly verify: (request: VerifyRequest) => VerifyReply;
}

/**
 * The NATS adapter of the verifier: the micro service `verifier` in queue group `verifier`, one
 * endpoint on `bpf.v1.internal.verify`. Each request is validated against its schema and
 * verified; a malformed request (or any failure) is an errno reply, never a crash. A rejected
 * program is a normal reply with `verdict: "reject"`.
 */
export async function startVerifierService(nc: NatsConnection, options: VerifierServiceOptions): Promise<Service> {
  // @nats-io/services is built on its own copy of nats-core; the connection is the same object.
  const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
  const service = await svcm.add({
    name: ServiceNames.verifier,
    version: options.version,
    description: 'proves eBPF programs safe the way the Linux verifier does',
    queue: QueueGroups.verifier,
    statsHandler: serviceStatsHandler(),
  });
  service.addEndpoint('verify', {
    subject: Subjects.internalVerify,
    handler: (err, msg) => {
      if (err) return;
      void serve<VerifyRequest>(msg, VerifyRequestSchema, (request) => options.verify(request));
    },
    metadata: { request_schema: 'bpf.v1.internal.verify.request', reply_schema: 'bpf.v1.internal.verify.reply' },
  });
  return service;
}
