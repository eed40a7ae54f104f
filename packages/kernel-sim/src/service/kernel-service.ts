import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Service, type ServiceMsg, Svcm } from '@nats-io/services';
import {
  BpfError,
  DEFAULT_IDENTITY_POLICY,
  EmptySchema,
  type GetNextIdRequest,
  GetNextIdRequestSchema,
  type IdentityPolicy,
  type LimitPolicy,
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
  serviceStatsHandler,
} from '@bpfhive/uapi';
import { btfTableOf } from '../core/btf/table-of.js';
import type { Kernel } from '../core/kernel.js';
import { addBtfEndpoints } from './btf-endpoints.js';
import { type ProgCommandContext, progClose, progGetNextId, progInfo, progLoad, progTestRun } from './prog-commands.js';
import { KernelObjectCharges, resolves } from './object-limits.js';
import { ObjectOwners } from './object-owners.js';
import { addPerfEndpoints } from './perf-endpoints.js';
import { natsPerfSink } from './perf-outputs.js';
import { addPinEndpoints } from './pin-endpoints.js';
import { KernelSessions } from './sessions.js';
import { addSimulation } from './sim-service.js';
import type { Simulation } from '../core/hooks/simulation.js';
import { PerfEvents } from '../core/perf/perf-events.js';

export interface KernelServiceOptions {
  readonly version: string;
  readonly kernel: Kernel;
  /** How callers get their capabilities (wire/identity.ts); default: embedded, the default roles. */
  readonly identity?: IdentityPolicy;
  /** Which account loaded which program; give one to share it with other endpoints. Default: a new one. */
  readonly owners?: ObjectOwners;
  /** The simulated world links attach into (bpf.v1.link_*, bpf.v1.sim.>). Default: a new one publishing on this connection. */
  readonly sim?: Simulation;
  /** Programs, links and BTF objects per account (wire/limits.ts); default: the default limits. */
  readonly limits?: LimitPolicy;
  /** This boot of the kernel, named in the pins of its programs and links (pin-endpoints.ts); default: a new UUID. */
  readonly bootId?: string;
  /**
   * The BPF output perf events (bpf.v1.perf_event_open); give the ones the map provider's ports
   * name (main.ts). Default: a new table publishing on this connection, which no map can reach.
   */
  readonly perfEvents?: PerfEvents;
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
 * and the simulated world (sim-service.ts: bpf.v1.link_*, bpf.v1.sim.>), and the pin references
 * of programs and links the maps-store asks for (pin-endpoints.ts). Each request is
 * validated against its uapi schema; failures are errno replies (a rejected program's carries the
 * verifier log), never crashes. Every command applies Linux's privilege checks to the caller the
 * NATS server names (prog-commands.ts).
 */
export async function startKernelService(nc: NatsConnection, options: KernelServiceOptions): Promise<Service> {
  const ctx: ProgCommandContext = {
    kernel: options.kernel,
    owners: options.owners ?? new ObjectOwners('program'),
    // A test_run's ring buffer records go out through the simulation's hooks; `sim` is made below
    // (its links need the program owners) with no await after the endpoints, so before any request.
    afterTestRun: (program) => sim.hooks.afterTestRun(program),
  };
  const policy = options.identity ?? DEFAULT_IDENTITY_POLICY;
  // @nats-io/services is built on its own copy of nats-core; the connection is the same object.
  const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
  const limits = new KernelObjectCharges(options.limits);
  limits.watch('progs', resolves((id) => options.kernel.program(id)));
  const service = await svcm.add({
    name: ServiceNames.kernelSim,
    version: options.version,
    description: 'the simulated kernel: programs, test runs, helpers',
    statsHandler: serviceStatsHandler(() => limits.stats()),
  });
  const endpoint = (name: string, subject: string, handle: (msg: ServiceMsg) => unknown): void => {
    service.addEndpoint(name, { subject, handler: (err, msg) => (err ? undefined : void handle(msg)) });
  };
  // Client sessions (sessions.ts): a session's end closes its programs as prog.<id>.close would.
  const sessions = new KernelSessions(nc);
  sessions.closer('prog', (id) => {
    options.kernel.closeHandle(id);
    ctx.owners.forget(id);
  });
  sessions.serve(service);
  endpoint('prog_load', Subjects.progLoad, (msg) =>
    serve<ProgLoadRequest>(msg, ProgLoadRequestSchema, (r) => {
      const who = callerIdentity(msg, policy);
      const load = () => sessions.create(msg, who, 'prog', 'prog_load', () => progLoad(ctx, who, r), (reply) => reply.prog_id);
      return limits.create(who, 'progs', 'prog_load', load, (reply) => reply.prog_id);
    }),
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
  addBtfEndpoints(service, btfTableOf(options.kernel), policy, limits, sessions);
  const linkOwners = new ObjectOwners('link');
  const perfEvents = options.perfEvents ?? new PerfEvents(options.kernel.cpus.length, natsPerfSink(nc));
  const sim = addSimulation(service, nc, { kernel: options.kernel, programs: ctx.owners, policy, limits, linkOwners, sessions, perfEvents, ...(options.sim && { sim: options.sim }) });
  addPinEndpoints(service, { kernel: options.kernel, links: sim.links, programOwners: ctx.owners, linkOwners, bootId: options.bootId ?? randomUUID(), policy });
  addPerfEndpoints(service, { perfEvents, stats: options.kernel.stats, policy, sessions });
  return service;
}
