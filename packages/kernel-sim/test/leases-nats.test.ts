import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { Service } from '@nats-io/services';
import { Arena } from '@bpfhive/maps-store';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { HelperId as H, Subjects, asm, encode, fromBase64, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCompiler } from '../src/core/compile/in-process.js';
import { Kernel } from '../src/core/kernel.js';
import { LeasedMapProvider } from '../src/core/maps/leased-provider.js';
import { startKernelService } from '../src/service/kernel-service.js';
import { NatsMapLeases } from '../src/service/nats-map-leases.js';
import { NatsVerifier } from '../src/service/nats-verifier.js';
import { fakeVerifierService, startProcess } from './support/services.js';

/**
 * Map leases over a real NATS server: the maps-store as its own process (dist/main.js), the
 * kernel-sim service in this process with the lease provider, a stand-in verifier. A map created
 * through the maps-store moves into the kernel when a program using it loads — its commands are
 * answered there — and goes home with its contents when the program closes.
 */
const MAPS_STORE_MAIN = fileURLToPath(new URL('../../maps-store/dist/main.js', import.meta.url));
const HOLDER = 'kernel-sim-leases-test';

let nats: NatsTestServer;
let nc: NatsConnection;
let mapsStore: ChildProcess;
let dataDir: string;
let provider: LeasedMapProvider;
let service: Service;

interface Reply {
  readonly code?: string;
  readonly body: Record<string, unknown>;
}

async function call(subject: string, body: unknown): Promise<Reply> {
  const msg = await nc.request(subject, JSON.stringify(body), { timeout: 10_000 });
  const parsed = JSON.parse(msg.string()) as Record<string, unknown>;
  return msg.headers?.get('Nats-Service-Error-Code') ? { code: String(parsed.code), body: parsed } : { body: parsed };
}

async function ok(subject: string, body: unknown): Promise<Record<string, unknown>> {
  const reply = await call(subject, body);
  if (reply.code) throw new Error(`${subject}: ${reply.code}: ${String(reply.body.message)}`);
  return reply.body;
}

const u32 = (n: number): string => toBase64(new Uint8Array(new Uint32Array([n]).buffer));
const u64 = (n: bigint): string => toBase64(new Uint8Array(new BigUint64Array([n]).buffer));
const readU64 = (b64: unknown): bigint => new DataView(fromBase64(b64 as string, 'value').buffer).getBigUint64(0, true);
const lookup = async (id: number, key: number): Promise<bigint> => readU64((await ok(Subjects.map(id, 'lookup_elem'), { key: u32(key) })).value);

/** counts[0] += 1 from a SYSCALL program. */
const increment = (id: number): string =>
  toBase64(
    encode(asm`
      r1 = 0
      *(u32 *)(r10 - 4) = r1
      ld_pseudo r1, 1, ${id}
      r2 = r10
      r2 += -4
      call ${H.map_lookup_elem}
      if r0 == 0 goto out
      r1 = 1
      lock *(u64 *)(r0 + 0) += r1
      out:
      r0 = 0
      exit`),
  );

beforeAll(async () => {
  nats = await startNatsServer();
  dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-leases-test-'));
  mapsStore = await startProcess(MAPS_STORE_MAIN, { NATS_URL: nats.url, MAPS_STORE_CPUS: '2', MAPS_STORE_DATA: dataDir }, /serving/);
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  fakeVerifierService(nc);
  const arena = new Arena();
  provider = new LeasedMapProvider(new NatsMapLeases(nc, HOLDER), arena, 2);
  const kernel = new Kernel({ maps: provider, verifier: new NatsVerifier(nc), compiler: new InProcessCompiler() }, { arena, cpus: 2 });
  service = await startKernelService(nc, { version: '0.1.0', kernel });
  await nc.flush();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await provider?.close();
  if (mapsStore?.exitCode === null) mapsStore.kill('SIGTERM');
  await nc?.close();
  await nats?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('map leases over NATS', () => {
  it('a map moves into the kernel while a program uses it, is served there, and goes home with its contents', async () => {
    const { map_id: id } = (await ok(Subjects.mapCreate, { map_type: 'array', key_size: 4, value_size: 8, max_entries: 4, map_name: 'counts' })) as { map_id: number };
    await ok(Subjects.map(id, 'update_elem'), { key: u32(0), value: u64(40n), flags: 0 });

    const { prog_id } = (await ok(Subjects.progLoad, { prog_type: 'syscall', insns: increment(id), license: 'GPL' })) as { prog_id: number };
    // The maps-store lent the map to this kernel and will not lend it to another.
    expect(await call(Subjects.internalMap(id, 'lease'), { holder: 'kernel-sim-other' })).toMatchObject({ code: 'EBUSY' });
    expect(provider.hosted(id)).toBeDefined();

    await ok(Subjects.prog(prog_id, 'test_run'), {});
    await ok(Subjects.prog(prog_id, 'test_run'), {});
    // Only the kernel knows 42: the maps-store still holds the 40 it lent (no checkpoint ran), and stays silent.
    expect(await lookup(id, 0)).toBe(42n);
    await ok(Subjects.map(id, 'update_elem'), { key: u32(1), value: u64(7n), flags: 0 });
    expect(provider.hosted(id)!.map.lookup(new Uint8Array(new Uint32Array([1]).buffer))).toEqual(fromBase64(u64(7n), 'value'));
    expect(await ok(Subjects.map(id, 'info'), {})).toMatchObject({ map_id: id, name: 'counts' });
    expect(await ok(Subjects.prog(prog_id, 'info'), {})).toMatchObject({ map_ids: [id] });

    await ok(Subjects.prog(prog_id, 'close'), {});
    await provider.settled();
    expect(provider.hosted(id)).toBeUndefined();
    // Answered by the maps-store again, with what the kernel made of the map.
    expect(await lookup(id, 0)).toBe(42n);
    expect(await lookup(id, 1)).toBe(7n);
    expect((await ok(Subjects.getNextId('map'), { start_id: id - 1 })).next_id).toBe(id);
  });

  it('a program naming a map the maps-store does not have is EBADF, and nothing is leased', async () => {
    const reply = await call(Subjects.progLoad, { prog_type: 'syscall', insns: increment(999), license: 'GPL' });
    expect(reply).toMatchObject({ code: 'EBADF', body: { message: expect.stringMatching(/map 999: no such map/) } });
    expect(provider.hosted(999)).toBeUndefined();
  });
});
