import { connect } from '@nats-io/transport-node';
import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { Container, Token } from 'typedi';
import { InProcessCompiler } from './core/compile/in-process.js';
import { Kernel } from './core/kernel.js';
import { LocalMapProvider } from './core/maps/local-provider.js';
import { type KernelSimConfig, readKernelSimConfig } from './service/env.js';
import { startKernelService } from './service/kernel-service.js';
import { NatsCompiler } from './service/nats-compiler.js';
import { NatsVerifier } from './service/nats-verifier.js';
import { natsTracePipe } from './service/outputs.js';

/**
 * Composition root of the kernel-sim: `node packages/kernel-sim/dist/main.js`.
 *
 * Phase 1: maps come from a directory on the kernel's own arena, which nothing outside fills yet
 * (the lease protocol with the maps-store comes later), so programs that name maps load only in
 * embedders that create them in process. Every program goes through the verifier service.
 */
const CONFIG = new Token<KernelSimConfig>('kernel-sim.config');
const KERNEL = new Token<Kernel>('kernel-sim.kernel');

const container = Container.of('kernel-sim');
container.set(CONFIG, readKernelSimConfig(process.env));
const config = container.get(CONFIG);

const nc = await connect({ servers: config.natsUrl, name: 'bpfhive-kernel-sim', noAsyncTraces: true, maxReconnectAttempts: -1 });
const arena = new Arena({ maximumPages: config.memoryPages });
container.set(
  KERNEL,
  new Kernel(
    {
      maps: new LocalMapProvider(new MapDirectory(arena, config.cpus)),
      verifier: new NatsVerifier(nc),
      compiler: config.jit === 'nats' ? new NatsCompiler(nc) : new InProcessCompiler(),
      trace: natsTracePipe(nc),
    },
    { arena, cpus: config.cpus },
  ),
);
const service = await startKernelService(nc, { version: '0.1.0', kernel: container.get(KERNEL) });
// Ready only once the server has our subscriptions: a request right after this line is served.
await nc.flush();
console.log(`kernel-sim: serving bpf.v1.prog_load and bpf.v1.prog.<id>.* on ${config.natsUrl} (${config.cpus} CPUs, JIT ${config.jit}, service ${service.info().id})`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`kernel-sim: ${signal}, draining`);
  await service.stop();
  await nc.drain();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
