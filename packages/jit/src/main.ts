import { connect } from '@nats-io/transport-node';
import { natsServersText } from '@bpfhive/uapi';
import { Container, Token } from 'typedi';
import { warmUpCompiler } from './core/warm-up.js';
import { compileRequest } from './core/compile-request.js';
import { type JitConfig, readJitConfig } from './service/env.js';
import { type JitServiceOptions, startJitService } from './service/jit-service.js';

/** Composition root of the jit service: `node packages/jit/dist/main.js`. */
const CONFIG = new Token<JitConfig>('jit.config');
const OPTIONS = new Token<JitServiceOptions>('jit.options');

const container = Container.of('jit');
container.set(CONFIG, readJitConfig(process.env));
container.set(OPTIONS, { version: '0.1.0', compile: compileRequest });

const config = container.get(CONFIG);
// V8 optimises the compiler only after it has run: pay that before the first real request.
const warm = warmUpCompiler();
console.log(`jit: compiler warmed up (${warm.programs} programs, ${warm.ms.toFixed(0)} ms)`);
const nc = await connect({ ...config.nats, name: 'bpfhive-jit', noAsyncTraces: true, maxReconnectAttempts: -1 });
const service = await startJitService(nc, container.get(OPTIONS));
// Ready only once the server has our subscriptions: a request right after this line is served.
await nc.flush();
console.log(`jit: serving bpf.v1.internal.jit on ${natsServersText(config.nats)} (service ${service.info().id})`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`jit: ${signal}, draining`);
  await service.stop();
  await nc.drain();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
