import { connect } from '@nats-io/transport-node';
import { natsServersText } from '@bpfhive/uapi';
import { Container, Token } from 'typedi';
import { verifyRequest } from './core/verify-request.js';
import { type VerifierConfig, readVerifierConfig } from './service/env.js';
import { type VerifierServiceOptions, startVerifierService } from './service/verifier-service.js';

/** Composition root of the verifier service: `node packages/verifier/dist/main.js`. */
const CONFIG = new Token<VerifierConfig>('verifier.config');
const OPTIONS = new Token<VerifierServiceOptions>('verifier.options');

const container = Container.of('verifier');
container.set(CONFIG, readVerifierConfig(process.env));
const { workers, workerHeapMb } = container.get(CONFIG);
// VERIFIER_WORKERS=0: no pool, verifyRequest on this thread.
container.set(OPTIONS, workers === 0 ? { version: '0.1.0', verify: verifyRequest } : { version: '0.1.0', workers, workerHeapMb });

const config = container.get(CONFIG);
const nc = await connect({ ...config.nats, name: 'bpfhive-verifier', noAsyncTraces: true, maxReconnectAttempts: -1 });
const verifier = await startVerifierService(nc, container.get(OPTIONS));
// Ready only once the server has our subscriptions: a request right after this line is served.
await nc.flush();
const threads = workers === 0 ? 'on the main thread' : `on ${workers} worker threads`;
console.log(`verifier: serving bpf.v1.internal.verify on ${natsServersText(config.nats)}, verifying ${threads} (service ${verifier.service.info().id})`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`verifier: ${signal}, draining`);
  // Answers the requests already taken (their verifications finish), then ends the worker threads.
  await verifier.stop();
  await nc.drain();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
