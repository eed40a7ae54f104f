import { connect } from '@nats-io/transport-node';
import { natsServersText } from '@bpfhive/uapi';
import { Container, Token } from 'typedi';
import { Arena } from './core/arena.js';
import { MapDirectory } from './core/directory.js';
import { MapIdReservation } from './core/map-ids.js';
import { PinnedMapSaver } from './core/pinned-saver.js';
import { type MapsConfig, readMapsConfig } from './service/env.js';
import { startMapsService } from './service/maps-service.js';
import { fileSnapshotStore, kvSnapshotStore } from './service/snapshot-stores.js';

/** Composition root of the maps-store: `node packages/maps-store/dist/main.js`. */
const CONFIG = new Token<MapsConfig>('maps.config');
const DIRECTORY = new Token<MapDirectory>('maps.directory');

const container = Container.of('maps-store');
container.set(CONFIG, readMapsConfig(process.env));
const config = container.get(CONFIG);
container.set(DIRECTORY, new MapDirectory(new Arena(), { cpus: config.cpus, leaseTtlMs: config.leaseTtlMs }));

const nc = await connect({ ...config.nats, name: 'bpfhive-maps-store', noAsyncTraces: true, maxReconnectAttempts: -1 });
// Pinned maps are durable: in JetStream when the server has it, else in files.
const store = nc.info?.jetstream ? await kvSnapshotStore(nc) : await fileSnapshotStore(config.dataDir);
const directory = container.get(DIRECTORY);
const saver = new PinnedMapSaver(directory, store);
const restored = await saver.restore();
// Map ids continue above every id handed out before (a live unpinned map keeps its id); leased
// maps this restart did not restore are re-registered by their kernels within one lease TTL.
const ids = new MapIdReservation(directory, store, { graceMs: config.leaseTtlMs });
await ids.restore();
console.log(`maps-store: pinned maps kept in ${store.description}; ${restored} restored`);
const service = await startMapsService(nc, { version: '0.1.0', directory, saver, ids, identity: config.identity, limits: config.limits, cpus: config.cpus, log: (line) => console.log(`maps-store: ${line}`) });
// Ready only once the server has our subscriptions: a request right after this line is served.
await nc.flush();
console.log(`maps-store: serving bpf.v1.map_create and bpf.v1.map.<id>.* on ${natsServersText(config.nats)} (service ${service.info().id})`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`maps-store: ${signal}, draining`);
  await service.stop();
  await nc.drain();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
