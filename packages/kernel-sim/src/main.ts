import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { Arena } from '@bpfhive/maps-store';
import { natsServersText } from '@bpfhive/uapi';
import { Container, Token } from 'typedi';
import { InProcessCompiler } from './core/compile/in-process.js';
import { Kernel } from './core/kernel.js';
import { LeasedMapProvider } from './core/maps/leased-provider.js';
import { PerfEvents } from './core/perf/perf-events.js';
import { StatsSwitch } from './core/run/stats.js';
import { type KernelSimConfig, readKernelSimConfig } from './service/env.js';
import { startKernelService } from './service/kernel-service.js';
import { startLeaseHeartbeat } from './service/lease-heartbeat.js';
import { NatsCompiler } from './service/nats-compiler.js';
import { NatsMapLeases } from './service/nats-map-leases.js';
import { NatsVerifier } from './service/nats-verifier.js';
import { natsTracePipe } from './service/outputs.js';
import { natsPerfSink } from './service/perf-outputs.js';

/**
 * Composition root of the kernel-sim: `node packages/kernel-sim/dist/main.js`.
 *
 * Maps come from the maps-store: the first program naming a map leases it into this kernel's
 * arena, and the last one to go sends it home (the lease protocol, DESIGN.md §4). Every program
 * goes through the verifier service. On SIGTERM every leased map is sent home before the exit.
 */
const CONFIG = new Token<KernelSimConfig>('kernel-sim.config');
const KERNEL = new Token<Kernel>('kernel-sim.kernel');

const log = (line: string): void => console.log(`kernel-sim: ${line}`);
const container = Container.of('kernel-sim');
container.set(CONFIG, readKernelSimConfig(process.env));
const config = container.get(CONFIG);

const nc = await connect({ ...config.nats, name: 'bpfhive-kernel-sim', noAsyncTraces: true, maxReconnectAttempts: -1 });
const arena = new Arena({ maximumPages: config.memoryPages });
// Records of bpf_perf_event_output go to the events user space put in PERF_EVENT_ARRAY slots.
const perfEvents = new PerfEvents(config.cpus, natsPerfSink(nc));
const maps = new LeasedMapProvider(new NatsMapLeases(nc, `kernel-sim-${randomUUID()}`, undefined, config.identity), arena, config.cpus, log, (id) => ({ perfEvents: perfEvents.portFor(id) }));
container.set(
  KERNEL,
  new Kernel(
    {
      maps,
      verifier: new NatsVerifier(nc),
      compiler: config.jit === 'nats' ? new NatsCompiler(nc) : new InProcessCompiler(),
      trace: natsTracePipe(nc),
    },
    { arena, cpus: config.cpus, stats: new StatsSwitch(config.stats), cpuThreads: config.cpuThreads },
  ),
);
const service = await startKernelService(nc, { version: '0.1.0', kernel: container.get(KERNEL), identity: config.identity, limits: config.limits, perfEvents });
const stopHeartbeat = startLeaseHeartbeat(maps, log);
// Ready only once the server has our subscriptions: a request right after this line is served.
await nc.flush();
log(`serving bpf.v1.prog_load and bpf.v1.prog.<id>.* on ${natsServersText(config.nats)} (${config.cpus} CPUs, JIT ${config.jit}, service ${service.info().id})`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}, draining`);
  await service.stop();
  stopHeartbeat();
  await maps.close();
  await nc.drain();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
