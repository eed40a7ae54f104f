import type { NatsConnection } from '@nats-io/transport-node';
import { type Service, Svcm } from '@nats-io/services';
import { QueueGroups, ServiceNames, Subjects, type VerifyReply, type VerifyRequest, VerifyRequestSchema, serve, serviceStatsHandler } from '@bpfhive/uapi';
import { VerifyPool } from './verify-pool.js';

export interface VerifierServiceOptions {
  readonly version: string;
  /**
   * Verifies on the service's own thread instead of a worker pool: verifyRequest itself
   * (VERIFIER_WORKERS=0) or a stand-in in tests. Each verification then holds the event loop,
   * PING and every other request included, until it ends.
   */
  readonly verify?: (request: VerifyRequest) => VerifyReply | Promise<VerifyReply>;
  /** Without `verify`: the worker pool's size (default max(2, CPUs), verify-pool.ts). */
  readonly workers?: number;
  /** Without `verify`: each worker's heap limit in MiB, one verification's memory budget (default 1024). */
  readonly workerHeapMb?: number;
}

export interface VerifierService {
  /** The NATS micro service (info, stats, stopped). Stopping it also ends the worker threads. */
  readonly service: Service;
  /** Stops taking requests, answers those it took (running and queued), then ends the worker threads. */
  stop(): Promise<void>;
}

/**
 * The NATS adapter of the verifier: the micro service `verifier` in queue group `verifier`, one
 * endpoint on `bpf.v1.internal.verify`. Each request is parsed and validated against its schema
 * here, on the event loop (a malformed one gets EINVAL at once), then verified on a worker
 * thread of the pool (verify-pool.ts, worker-pool.ts), so a long verification never delays PING,
 * STATS or the next request. Any failure, a worker thread's death included, is an errno reply,
 * never a crash. A rejected program is a normal reply with `verdict: "reject"`. STATS data
 * carries the pool's state as `workers` ({size, light_lane, busy, queued, replaced}).
 */
export async function startVerifierService(nc: NatsConnection, options: VerifierServiceOptions): Promise<VerifierService> {
  const pool = options.verify ? undefined : new VerifyPool({ workers: options.workers, heapMb: options.workerHeapMb });
  const verify = options.verify ?? ((request: VerifyRequest) => pool!.verify(request));
  // @nats-io/services is built on its own copy of nats-core; the connection is the same object.
  const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
  let service: Service;
  try {
    service = await svcm.add({
      name: ServiceNames.verifier,
      version: options.version,
      description: 'proves eBPF programs safe the way the Linux verifier does',
      queue: QueueGroups.verifier,
      statsHandler: serviceStatsHandler(() => (pool ? { workers: pool.stats() } : {})),
    });
  } catch (e) {
    await pool?.close();
    throw e;
  }
  service.addEndpoint('verify', {
    subject: Subjects.internalVerify,
    handler: (err, msg) => {
      if (err) return;
      // The verification ends after this handler returns; if the connection closed meanwhile, its reply has nowhere to go.
      serve<VerifyRequest>(msg, VerifyRequestSchema, (request) => verify(request)).catch(() => undefined);
    },
    metadata: { request_schema: 'bpf.v1.internal.verify.request', reply_schema: 'bpf.v1.internal.verify.reply' },
  });
  const closed = service.stopped.then(() => pool?.close());
  return {
    service,
    async stop() {
      await service.stop();
      await closed;
    },
  };
}
