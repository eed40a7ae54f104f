import type { NatsConnection } from '@nats-io/transport-node';
import type { Service } from '@nats-io/services';
import type { IdentityPolicy } from '@bpfhive/uapi';
import { Simulation, type SimulationOptions } from '../core/hooks/simulation.js';
import type { PerfEvents } from '../core/perf/perf-events.js';
import type { Kernel } from '../core/kernel.js';
import { addLinkEndpoints } from './link-endpoints.js';
import type { KernelObjectCharges } from './object-limits.js';
import type { ObjectOwners } from './object-owners.js';
import type { KernelSessions } from './sessions.js';
import { addSimEndpoints } from './sim-endpoints.js';
import { NatsSimOutputs } from './sim-outputs.js';

/** A Simulation of `kernel` whose ring buffer records, AF_XDP frames and flow log go out on NATS. */
export function natsSimulation(nc: NatsConnection, kernel: Kernel, options: Omit<SimulationOptions, 'outputs'> = {}): Simulation {
  const outputs = new NatsSimOutputs(nc);
  const sim = new Simulation(kernel, { ...options, outputs });
  outputs.watch(sim.hooks.flowLog);
  return sim;
}

export interface SimServiceOptions {
  readonly kernel: Kernel;
  /** Who loaded which program (the service's record, for link_create's check). */
  readonly programs: ObjectOwners;
  readonly policy: IdentityPolicy;
  /** Default: natsSimulation of the kernel (with `perfEvents`). */
  readonly sim?: Simulation;
  /** The kernel's perf events, for PERF_EVENT programs on sampling events. */
  readonly perfEvents?: PerfEvents;
  /** Links per account (object-limits.ts); default: not counted. */
  readonly limits?: KernelObjectCharges;
  /** Who made (or got from a pin) which link; default: a new record. */
  readonly linkOwners?: ObjectOwners;
  /** Client sessions, holding the links created under one (sessions.ts); default: none honoured. */
  readonly sessions?: KernelSessions;
}

/**
 * Adds the links (bpf.v1.link_create, bpf.v1.link.<id>.*, bpf.v1.link_get_next_id) and the
 * simulated world (bpf.v1.sim.>) to the kernel-sim service; the world's traffic sources stop
 * when the service does. Returns the simulation.
 */
export function addSimulation(service: Service, nc: NatsConnection, options: SimServiceOptions): Simulation {
  const sim = options.sim ?? natsSimulation(nc, options.kernel, options.perfEvents ? { perfEvents: options.perfEvents } : {});
  addLinkEndpoints(service, sim.links, options.programs, options.policy, options.limits, options.linkOwners, options.sessions);
  const sources = addSimEndpoints(service, sim, options.policy);
  void service.stopped.then(() => sources.stop());
  return sim;
}
