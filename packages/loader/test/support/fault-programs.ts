/** Small programs and calls the fault tests load and make through a BpfClient. */
import { decodeImage } from '@bpfhive/maps-store';
import { HelperId as H, Subjects, asm, encode, fromBase64 } from '@bpfhive/uapi';
import { type BpfClient, u32, u64 } from '../../src/client/index.js';
import { decodeReply } from '../../src/client/transport.js';

/** A socket filter that keeps every packet: a load that goes through verifier and JIT and nothing else. */
export const KEEP_ALL = encode(asm`
  r0 = 0
  if r0 != 0 goto out
  r0 = -1
  out:
  exit`);

/** A socket filter doing `counts[0] += 1` on array map `mapId` (u32 keys, u64 values). */
export const counter = (mapId: number): Uint8Array =>
  encode(asm`
    r1 = 0
    *(u32 *)(r10 - 4) = r1
    ld_pseudo r1, 1, ${mapId}
    r2 = r10
    r2 += -4
    call ${H.map_lookup_elem}
    if r0 == 0 goto out
    r1 = 1
    lock *(u64 *)(r0 + 0) += r1
    out:
    r0 = 0
    exit`);

/** PROG_LOAD: the new program's id. */
export async function load(client: BpfClient, prog_type: string, insns: Uint8Array, prog_name: string): Promise<number> {
  return Number((await client.bpf('PROG_LOAD', { prog_type, insns, license: 'GPL', prog_name })).prog_id);
}

/** A 64-byte frame for socket filters' test runs. */
const FRAME = new Uint8Array(64);

/** PROG_TEST_RUN of a socket filter on FRAME, `repeat` times: r0. */
export async function run(client: BpfClient, progId: number, repeat = 1): Promise<number> {
  return Number((await client.bpf('PROG_TEST_RUN', { prog_id: progId, data_in: FRAME, repeat })).retval);
}

/** `bpf.v1.prog.<id>.close` (closing a program's last fd; the client has no command for it). */
export async function closeProgram(client: BpfClient, progId: number): Promise<void> {
  await request(client, Subjects.prog(progId, 'close'), {});
}

/**
 * The contents the maps-store itself holds for a map of u32 keys and u64 values (key → value),
 * read by taking a lease on it and giving it straight back unchanged: EBUSY while a kernel holds it.
 */
export async function homeContents(client: BpfClient, mapId: number): Promise<Record<number, bigint>> {
  const holder = 'faults-test-reader';
  const lease = await request(client, Subjects.internalMap(mapId, 'lease'), { holder });
  await request(client, Subjects.internalMap(mapId, 'release'), { holder, epoch: lease.epoch, snapshot: lease.snapshot });
  const records = decodeImage(fromBase64(String(lease.snapshot), 'snapshot'));
  return Object.fromEntries(records.map(([key, value]) => [u32.decode(key), u64.decode(value)]));
}

/** One request on a subject the client has no command for; an errno reply throws its BpfSyscallError. */
async function request(client: BpfClient, subject: string, body: object): Promise<Record<string, unknown>> {
  const reply = await client.nc.request(subject, JSON.stringify(body), { timeout: 10_000 });
  return decodeReply(subject, reply.headers?.get('Nats-Service-Error-Code') ?? '', reply.headers?.get('Nats-Service-Error') ?? '', reply.string());
}
