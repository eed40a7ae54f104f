import type { NatsConnection } from '@nats-io/transport-node';
import { type Service, type ServiceMsg, Svcm } from '@nats-io/services';
import {
  BpfError,
  EmptySchema,
  type GetNextIdRequest,
  GetNextIdRequestSchema,
  type ProgLoadRequest,
  ProgLoadRequestSchema,
  type ProgTestRunRequest,
  ProgTestRunRequestSchema,
  SUBJECT_PREFIX,
  ServiceNames,
  Subjects,
  respond,
  serve,
} from '@bpfhive/uapi';
import type { Kernel } from '../core/kernel.js';
import { progClose, progInfo, progLoad, progTestRun } from './prog-commands.js';

export interface KernelServiceOptions {
  readonly version: string;
  readonly kernel: Kernel;
}

/** bpf.v1.prog.<id>.<command>. */
function progCommand(kernel: Kernel, id: number, command: string, msg: ServiceMsg): Promise<void> {
  switch (command) {
    case 'test_run':
      return serve<ProgTestRunRequest>(msg, ProgTestRunRequestSchema, (r) => progTestRun(kernel, id, r));
    case 'info':
      return serve(msg, EmptySchema, () => progInfo(kernel, id));
    case 'close':
      return serve(msg, EmptySchema, () => progClose(kernel, id));
    default:
      return respond(msg, () => {
        throw new BpfError('EINVAL', `${msg.subject}: unknown program command '${command}'`);
      });
  }
}

/**
 * The NATS adapter of the kernel-sim: the micro service `kernel-sim`, serving bpf.v1.prog_load,
 * bpf.v1.prog.<id>.test_run / .info / .close and bpf.v1.prog_get_next_id. Each request is
 * validated against its uapi schema; failures are errno replies (a rejected program's carries the
 * verifier log), never crashes.
 */
export async function startKernelService(nc: NatsConnection, options: KernelServiceOptions): Promise<Service> {
  const { kernel } = options;
  // @nats-io/services is built on its own copy of nats-core; the connection is the same object.
  const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
  const service = await svcm.add({ name: ServiceNames.kernelSim, version: options.version, description: 'the simulated kernel: programs, test runs, helpers' });
  const endpoint = (name: string, subject: string, handle: (msg: ServiceMsg) => unknown): void => {
    service.addEndpoint(name, { subject, handler: (err, msg) => (err ? undefined : void handle(msg)) });
  };
  endpoint('prog_load', Subjects.progLoad, (msg) => serve<ProgLoadRequest>(msg, ProgLoadRequestSchema, (r) => progLoad(kernel, r)));
  endpoint('prog', `${SUBJECT_PREFIX}.prog.*.*`, (msg) => {
    const [, , , idText, command] = msg.subject.split('.');
    if (!/^\d+$/.test(idText ?? '')) {
      return respond(msg, () => {
        throw new BpfError('EINVAL', `${msg.subject}: the program id must be a number`);
      });
    }
    return progCommand(kernel, Number(idText), command ?? '', msg);
  });
  endpoint('prog_get_next_id', Subjects.getNextId('prog'), (msg) =>
    serve<GetNextIdRequest>(msg, GetNextIdRequestSchema, (r) => ({ next_id: kernel.nextId(r.start_id) })),
  );
  return service;
}
