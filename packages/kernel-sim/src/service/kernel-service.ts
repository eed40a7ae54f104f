import type { NatsConnection } from '@nats-io/transport-node';
import { type Service, type ServiceMsg, Svcm } from '@nats-io/services';
import {
  BpfError,
  DEFAULT_IDENTITY_POLICY,
  EmptySchema,
  type GetNextIdRequest,
  GetNextIdRequestSchema,
  type IdentityPolicy,
  type ProgLoadRequest,
  ProgLoadRequestSchema,
  type ProgTestRunRequest,
  ProgTestRunRequestSchema,
  SUBJECT_PREFIX,
  ServiceNames,
  Subjects,
  callerIdentity,
  respond,
  serve,
} from '@bpfhive/uapi';
import { btfTableOf } from '../core/btf/table-of.js';
import type { Kernel } from '../core/kernel.js';
import { addBtfEndpoints } from './btf-endpoints.js';
import { type ProgCommandContext, progClose, progGetNextId, progInfo, progLoad, progTestRun } from './prog-commands.js';
import { ObjectOwners } from './object-owners.js';
import { addSimulation } from './sim-service.js';
import type { Simulation } from '../core/hooks/simulation.js';

export interface KernelServiceOptions {
  readonly version: string;
  readonly kernel: Kernel;
  /** How callers get their capabilities (wire/identity.ts); default: embedded, the default roles. */
  readonly identity?: IdentityPolicy;
  /** Which account loaded which program; give one to share it with other endpoints. Default: a new one. */
  readonly owners?: ObjectOwners;
  /** The simulated world links attach into (bpf.v1.link_*, bpf.v1.sim.>). Default: a new one publishing on this connection. */
  readonly sim?: Simulation;
}

/** bpf.v1.prog.<id>.<command>. */
function progCommand(ctx: ProgCommandContext, policy: IdentityPolicy, id: number, command: string, msg: ServiceMsg): Promise<void> {
  const who = callerIdentity(msg, policy);
  switch (command) {
    case 'test_run':
      return serve<ProgTestRunRequest>(msg, ProgTestRunRequestSchema, (r) => progTestRun(ctx, who, id, r));
    case 'info':
      return serve(msg, EmptySchema, () => progInfo(ctx, who, id));
    case 'close':
      return serve(msg, EmptySchema, () => progClose(ctx, who, id));
    default:
      return respond(msg, () => {
        throw new BpfError('EINVAL', `${msg.subject}: unknown program command '${command}'`);
      });
  }
}

/**
 * The NATS adapter of the kernel-sim: the micro service `kernel-sim`, serving bpf.v1.prog_load,
 * bpf.v1.prog.<id>.test_run / .info / .close and bpf.v1.prog_get_next_id, the BTF commands, links
 * and the simulated world (sim-service.ts: bpf.v1.link_*, bpf.v1.sim.>). Each request is
 * validated against its uapi schema; failures are errno replies (a rejected program's carries the
 * verifier log), never crashes. Every command applies Linux's privilege checks to the caller the
 * NATS server names (prog-commands.ts).
 */
export async function startKernelService(nc: NatsConnection, options: KernelServiceOptions): Promise<Service> {
  const ctx: ProgCommandContext = { kernel: options.kernel, owners: options.owners ?? new ObjectOwners('program') };
  const policy = options.identity ?? DEFAULT_IDENTITY_POLICY;
  // @nats-io/services is built on its own copy of nats-core; the connection is the same object.
  const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
  const service = await svcm.add({ name: ServiceNames.kernelSim, version: options.version, description: 'the simulated kernel: programs, test runs, helpers' });
  const endpoint = (name: string, subject: string, handle: (msg: ServiceMsg) => unknown): void => {
    service.addEndpoint(name, { subject, handler: (err, msg) => (err ? undefined : void handle(msg)) });
  };
  endpoint('prog_load', Subjects.progLoad, (msg) =>
    serve<ProgLoadRequest>(msg, ProgLoadRequestSchema, (r) => progLoad(ctx, callerIdentity(msg, policy), r)),
  );
  endpoint('prog', `${SUBJECT_PREFIX}.prog.*.*`, (msg) => {
    const [, , , idText, command] = msg.subject.split('.');
    if (!/^\d+$/.test(idText ?? '')) {
      return respond(msg, () => {
        throw new BpfError('EINVAL', `${msg.subject}: the program id must be a number`);
      });
    }
    return progCommand(ctx, policy, Number(idText), command ?? '', msg);
  });
  endpoint('prog_get_next_id', Subjects.getNextId('prog'), (msg) =>
    serve<GetNextIdRequest>(msg, GetNextIdRequestSchema, (r) => progGetNextId(ctx, callerIdentity(msg, policy), r)),
  );
  addBtfEndpoints(service, btfTableOf(options.kernel), policy);
  addSimulation(service, nc, { kernel: options.kernel, programs: ctx.owners, policy, ...(options.sim && { sim: options.sim }) });
  return service;
}
