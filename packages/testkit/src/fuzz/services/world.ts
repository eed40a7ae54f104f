/**
 * The world the wire fuzzer runs in: the built services as processes on one NATS server, a
 * client connection, the lease maps, and the objects that existed before the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subjects, toBase64 } from '@bpfhive/uapi';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { idField } from './family.js';
import { KERNEL_FAMILIES } from './kernel-families.js';
import { FUZZ_CPUS, MAP_CREATES, MAP_FAMILIES } from './map-families.js';
import { FUZZED_SERVICES, type ServiceName, type ServiceProcess, serviceBuilt, serviceMain, startServiceProcess } from './processes.js';
import { PLAIN_PROGRAMS, SMALL_BTF, mapLookupProgram } from './programs.js';
import { FuzzState, OBJECT_KINDS } from './state.js';
import { WireFuzzer, listIds } from './wire-fuzzer.js';

export interface WireFuzzWorld {
  readonly fuzzer: WireFuzzer;
  /** A client connection to the world's NATS server. */
  readonly nc: NatsConnection;
  /** The services started. */
  readonly services: readonly ServiceProcess[];
  /** Services not started because they are not built, each with its missing entry point. */
  readonly missing: readonly { readonly name: ServiceName; readonly main: string }[];
  /** Closes the connection and stops the services (SIGKILL for those still running after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Each service's environment: small CPU counts, the kernel-sim compiling through the jit service. */
function serviceEnv(name: ServiceName, natsUrl: string, dataDir: string): Record<string, string> {
  const cpus = String(FUZZ_CPUS);
  const own: Record<ServiceName, Record<string, string>> = {
    'maps-store': { MAPS_STORE_DATA: dataDir, MAPS_STORE_CPUS: cpus },
    jit: {},
    verifier: {},
    'kernel-sim': { KERNEL_SIM_CPUS: cpus, KERNEL_SIM_JIT: 'nats', KERNEL_SIM_MEMORY_PAGES: '4096' },
  };
  return { NATS_URL: natsUrl, ...own[name] };
}

/**
 * Starts every built service on `natsUrl` (the missing ones are listed, not started), creates
 * the lease maps, and records the objects that exist before the run. Throws if a built service
 * does not come up.
 */
export async function startWireFuzzWorld(natsUrl: string, replyTimeoutMs?: number): Promise<WireFuzzWorld> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-wire-fuzz-'));
  const built = FUZZED_SERVICES.filter(serviceBuilt);
  const started = await Promise.allSettled(built.map((name) => startServiceProcess(name, serviceEnv(name, natsUrl, dataDir))));
  const services = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stopAll = async (nc?: NatsConnection, graceMs?: number): Promise<void> => {
    await nc?.close();
    await Promise.all(services.map((s) => s.stop(graceMs)));
    rmSync(dataDir, { recursive: true, force: true });
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const state = await initialState(nc, services);
  const running = new Set(services.map((s) => s.name));
  const families = [...MAP_FAMILIES, ...KERNEL_FAMILIES].filter((f) => running.has(f.service));
  const fuzzer = new WireFuzzer({ nc, services, families, state, ...(replyTimeoutMs !== undefined && { replyTimeoutMs }) });
  try {
    await createFirstObjects(fuzzer, state);
  } catch (e) {
    await stopAll(nc);
    throw e;
  }
  return {
    fuzzer,
    nc,
    services,
    missing: FUZZED_SERVICES.filter((n) => !running.has(n)).map((name) => ({ name, main: serviceMain(name) })),
    stop: (graceMs) => stopAll(nc, graceMs),
  };
}

/** A map of every type, programs (one using a map) and a BTF object, for the first cases to aim at. */
async function createFirstObjects(fuzzer: WireFuzzer, state: FuzzState): Promise<void> {
  for (const body of MAP_CREATES) await fuzzer.create('map_create', body);
  const hash = [...state.maps].find(([, s]) => s.key_size === 4 && !s.indexed && !s.percpu)?.[0];
  for (const insns of [PLAIN_PROGRAMS[0]!, ...(hash === undefined ? [] : [mapLookupProgram(hash)])]) {
    await fuzzer.create('prog_load', { prog_type: 'xdp', insns: toBase64(insns), license: 'GPL' });
  }
  await fuzzer.create('btf_load', { btf: toBase64(SMALL_BTF) });
}

/** Two lease maps (when the maps-store runs), and every object already listed. */
async function initialState(nc: NatsConnection, services: readonly ServiceProcess[]): Promise<FuzzState> {
  const state = new FuzzState();
  if (services.some((s) => s.name === 'maps-store')) {
    for (let i = 0; i < 2; i++) {
      const reply = await nc.request(Subjects.mapCreate, JSON.stringify({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 8 }), { timeout: 10_000 });
      const id = idField(reply.json(), 'map_id');
      if (id === undefined) throw new Error(`wire fuzz: could not create a lease map: ${reply.string()}`);
      state.leaseMaps.push(id);
    }
  }
  for (const kind of OBJECT_KINDS) for (const id of (await listIds(nc, kind)) ?? []) state.created(kind, id);
  return state;
}
