import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { Service } from '@nats-io/services';
import { Arena } from '@bpfhive/maps-store';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { type BtfType, HelperId as H, Subjects, asm, encode, encodeBtf, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCompiler } from '../src/core/compile/in-process.js';
import { Kernel } from '../src/core/kernel.js';
import { LeasedMapProvider } from '../src/core/maps/leased-provider.js';
import { startKernelService } from '../src/service/kernel-service.js';
import { NatsMapLeases } from '../src/service/nats-map-leases.js';
import { NatsVerifier } from '../src/service/nats-verifier.js';
import { type VerifyCall, fakeVerifierService, startProcess } from './support/services.js';

/**
 * A map's BTF over a real NATS server: the maps-store as its own process (dist/main.js) reads the
 * BTF object from this kernel-sim at map_create and keeps the value's fields in the map's spec,
 * so the BTF object may be closed before a program using the map is loaded: the lease carries
 * the fields (before, the kernel-sim looked the object up at lease time: EBADF). A mismatch is
 * refused at map_create.
 */
const MAPS_STORE_MAIN = fileURLToPath(new URL('../../maps-store/dist/main.js', import.meta.url));

/** struct counter { int n; struct bpf_spin_lock lock; } (8 bytes, the lock at 4); int is type 1. */
const TYPES: BtfType[] = [
  { kind: 'VOID', name: '' },
  { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 },
  { kind: 'STRUCT', name: 'bpf_spin_lock', size: 4, kflag: false, members: [{ name: 'val', type: 1, bitOffset: 0, bitfieldSize: 0 }] },
  {
    kind: 'STRUCT', name: 'counter', size: 8, kflag: false, members: [
      { name: 'n', type: 1, bitOffset: 0, bitfieldSize: 0 },
      { name: 'lock', type: 2, bitOffset: 32, bitfieldSize: 0 },
    ],
  },
];
const COUNTER = 3;

let nats: NatsTestServer;
let nc: NatsConnection;
let mapsStore: ChildProcess;
let dataDir: string;
let provider: LeasedMapProvider;
let service: Service;
let verifies: VerifyCall[];

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

const bytes = (...b: number[]): string => toBase64(new Uint8Array(b));

/** Looks key 0 up in map `id` from a SYSCALL program (the map is leased when it loads). */
const lookupProgram = (id: number): string =>
  toBase64(
    encode(asm`
      r1 = 0
      *(u32 *)(r10 - 4) = r1
      ld_pseudo r1, 1, ${id}
      r2 = r10
      r2 += -4
      call ${H.map_lookup_elem}
      r0 = 0
      exit`),
  );

beforeAll(async () => {
  nats = await startNatsServer();
  dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-map-btf-test-'));
  mapsStore = await startProcess(MAPS_STORE_MAIN, { NATS_URL: nats.url, MAPS_STORE_CPUS: '2', MAPS_STORE_DATA: dataDir }, /serving/);
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  verifies = fakeVerifierService(nc).calls;
  const arena = new Arena();
  provider = new LeasedMapProvider(new NatsMapLeases(nc, 'kernel-sim-map-btf-test'), arena, 2);
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

describe('map BTF over NATS', () => {
  it('map BTF - the map keeps what its BTF said: the object is closed, a program using the map loads, its lease has the spin lock and BPF_F_LOCK works there', async () => {
    const { btf_id } = (await ok(Subjects.btfLoad, { btf: toBase64(encodeBtf({ types: TYPES })) })) as { btf_id: number };
    const { map_id: id } = (await ok(Subjects.mapCreate, { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 4, map_name: 'locked', btf_id, btf_key_type_id: 1, btf_value_type_id: COUNTER })) as { map_id: number };
    await ok(Subjects.btf(btf_id, 'close'), {});
    expect(await call(Subjects.btf(btf_id, 'info'), {})).toMatchObject({ code: 'ENOENT' });

    const { prog_id } = (await ok(Subjects.progLoad, { prog_type: 'syscall', insns: lookupProgram(id), license: 'GPL' })) as { prog_id: number };
    expect(provider.hosted(id)?.map.spec.value_fields).toEqual({ btf: true, spin_lock_off: 4 });
    expect(verifies.at(-1)?.maps).toEqual([expect.objectContaining({ map_id: id, btf: true, spin_lock_off: 4 })]);
    // Answered by this kernel, which holds the lease: the lock bytes are never written nor shown.
    await ok(Subjects.map(id, 'update_elem'), { key: bytes(0, 0, 0, 0), value: bytes(7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff), flags: 4 });
    expect(await ok(Subjects.map(id, 'lookup_elem'), { key: bytes(0, 0, 0, 0), flags: 4 })).toEqual({ value: bytes(7, 0, 0, 0, 0, 0, 0, 0) });
    expect(await ok(Subjects.map(id, 'info'), {})).toMatchObject({ btf_id, btf_key_type_id: 1, btf_value_type_id: COUNTER });
    await ok(Subjects.prog(prog_id, 'close'), {});
    await provider.settled();
    expect(provider.hosted(id)).toBeUndefined();
  });

  it('map BTF - a value type of another size is EINVAL at map_create, a closed BTF object EBADF', async () => {
    const { btf_id } = (await ok(Subjects.btfLoad, { btf: toBase64(encodeBtf({ types: TYPES })) })) as { btf_id: number };
    const request = { map_type: 'hash', key_size: 4, value_size: 12, max_entries: 4, btf_id, btf_key_type_id: 1, btf_value_type_id: COUNTER };
    expect(await call(Subjects.mapCreate, request)).toMatchObject({ code: 'EINVAL', body: { message: expect.stringContaining('value type is 8 bytes, value_size is 12') } });
    await ok(Subjects.btf(btf_id, 'close'), {});
    expect(await call(Subjects.mapCreate, { ...request, value_size: 8 })).toMatchObject({ code: 'EBADF', body: { message: expect.stringContaining(`btf_id ${btf_id} names no BTF object`) } });
  });
});
