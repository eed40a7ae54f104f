import type { ChildProcess } from 'node:child_process';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { Service } from '@nats-io/services';
import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { HelperId as H, Subjects, asm, encode, fromBase64, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../src/core/kernel.js';
import { LocalMapProvider } from '../src/core/maps/local-provider.js';
import { startKernelService } from '../src/service/kernel-service.js';
import { NatsCompiler } from '../src/service/nats-compiler.js';
import { NatsVerifier } from '../src/service/nats-verifier.js';
import { natsTracePipe } from '../src/service/outputs.js';
import { udpFrame } from '../src/testing/packets.js';
import { type VerifyCall, fakeVerifierService, serviceMain, startProcess } from './support/services.js';
import { wireCalls } from './support/wire.js';
import { incrementKey } from '../src/testing/count-program.js';

/**
 * The kernel-sim service over a real NATS server, with the real jit service (its own process)
 * compiling and a stand-in verifier service answering bpf.v1.internal.verify. Maps live in a
 * directory on the kernel's arena (phase 1), so the test creates and reads them in process.
 */
let nats: NatsTestServer;
let nc: NatsConnection;
let jit: ChildProcess;
let kernel: Kernel;
let service: Service;
let directory: MapDirectory;
let verifyCalls: VerifyCall[];

const { call, ok } = wireCalls(() => nc);

const insns = (text: string): string => toBase64(encode(asm`${text}`));
const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  verifyCalls = fakeVerifierService(nc).calls;
  jit = await startProcess(serviceMain('jit'), { NATS_URL: nats.url }, /serving/);
  const arena = new Arena();
  directory = new MapDirectory(arena, 2);
  kernel = new Kernel(
    { maps: new LocalMapProvider(directory), verifier: new NatsVerifier(nc), compiler: new NatsCompiler(nc), trace: natsTracePipe(nc) },
    { arena, cpus: 2 },
  );
  service = await startKernelService(nc, { version: '0.1.0', kernel });
  await nc.flush();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  jit?.kill('SIGTERM');
  await nc?.close();
  await nats?.stop();
});

describe('kernel-sim service', () => {
  it('loads an XDP program that counts packets in a hash map, test-runs it, and the count is in the map', async () => {
    const counts = directory.create({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 16, map_name: 'counts' });
    // counts[ip protocol]++, then XDP_PASS.
    const program = `
      r2 = *(u32 *)(r1 + 0)
      r3 = *(u32 *)(r1 + 4)
      r4 = r2
      r4 += 34
      if r4 > r3 goto pass
      r5 = *(u8 *)(r2 + 23)
      *(u32 *)(r10 - 4) = r5
      ${incrementKey(counts, 'pass')}
      pass:
      r0 = 2
      exit`;
    const loaded = await ok(Subjects.progLoad, { prog_type: 'xdp', insns: insns(program), license: 'GPL', prog_name: 'count_proto' });
    expect(loaded).toMatchObject({ prog_id: expect.any(Number), verified_insns: expect.any(Number), stats: { processed_insns: expect.any(Number) } });
    expect(verifyCalls.at(-1)).toMatchObject({ prog_type: 6, license: 'GPL', maps: [{ map_id: counts, map_type: 1, key_size: 4, value_size: 8, max_entries: 16 }] });
    const id = loaded.prog_id as number;

    const run = await ok(Subjects.prog(id, 'test_run'), { data_in: toBase64(udpFrame()), repeat: 3 });
    expect(run).toMatchObject({ retval: 2, data_size_out: 60, duration: expect.any(Number) });
    expect(fromBase64(run.data_out as string, 'data_out')).toEqual(udpFrame());
    expect(new DataView(directory.lookup(counts, u32(17)).buffer).getBigUint64(0, true)).toBe(3n);

    expect(await ok(Subjects.prog(id, 'info'), {})).toMatchObject({ id, type: 6, type_name: 'xdp', name: 'count_proto', map_ids: [counts], run_cnt: 3, gpl_compatible: true });
    // The jit service inlined the lookup (the map's descriptor went with the request) and imported the update with the typed ABI.
    const helpers = WebAssembly.Module.imports(new WebAssembly.Module(new Uint8Array(kernel.program(id).compiled.bytes))).filter((i) => i.module === 'h').map((i) => i.name);
    expect(helpers).toEqual([`${H.map_update_elem}:uuui:i`]);
  });

  it('answers a rejected program with EACCES and the verifier log, and gives it no id', async () => {
    const before = await call(Subjects.getNextId('prog'), { start_id: 0 });
    const reply = await call(Subjects.progLoad, { prog_type: 6, insns: insns('exit'), license: 'GPL' });
    expect(reply.error).toBe('13');
    expect(reply.body).toMatchObject({ errno: 13, code: 'EACCES', log: '0: (95) exit\nR0 !read_ok\nprocessed 1 insns\n' });
    expect(reply.body.message).toMatch(/the verifier rejected the program at instruction 0: R0 !read_ok/);
    expect(await call(Subjects.getNextId('prog'), { start_id: 0 })).toEqual(before);
  });

  it.each([
    ['a body that is not JSON', Subjects.progLoad, '{oops', 'EINVAL', /the body is not JSON/],
    ['a load without a license', Subjects.progLoad, { prog_type: 'xdp', insns: insns('r0 = 0\nexit') }, 'EINVAL', /must have required property 'license'/],
    ['instructions that are not base64', Subjects.progLoad, { prog_type: 'xdp', insns: 'not base64!', license: 'GPL' }, 'EINVAL', /insns must match pattern/],
    ['an unknown program type', Subjects.progLoad, { prog_type: 'nope', insns: insns('r0 = 0\nexit'), license: 'GPL' }, 'EINVAL', /unknown prog_type/],
    ['a test run of a program that does not exist', Subjects.prog(9999, 'test_run'), {}, 'ENOENT', /program 9999: no such program/],
    ['a program id that is not a number', 'bpf.v1.prog.abc.info', {}, 'EINVAL', /the program id must be a number/],
    ['an unknown program command', Subjects.prog(1, 'explode'), {}, 'EINVAL', /unknown program command 'explode'/],
    ['an unknown test_run field', Subjects.prog(1, 'test_run'), { colour: 'red' }, 'EINVAL', /must NOT have additional properties \('colour'\)/],
  ])('answers %s with an errno reply and keeps serving', async (_title, subject, body, code, message) => {
    const reply = await call(subject, body);
    expect(reply.body.code).toBe(code);
    expect(reply.body.message).toMatch(message);
  });

  it('walks program ids, closes a program, and publishes bpf_trace_printk lines on bpf.v1.trace_pipe', async () => {
    const lines: string[] = [];
    const sub = nc.subscribe(Subjects.tracePipe, { callback: (_err, msg) => void lines.push(msg.string()) });
    const fmt = 'hi %d\n';
    const words = Array.from(Buffer.from(`${fmt}\0\0\0\0\0\0\0\0`).subarray(0, 8));
    const le = (bytes: number[]) => bytes.reduce((v, b, i) => v + b * 2 ** (8 * i), 0);
    const program = `
      r1 = ${le(words.slice(0, 4))}
      *(u32 *)(r10 - 8) = r1
      r1 = ${le(words.slice(4, 8))}
      *(u32 *)(r10 - 4) = r1
      r1 = r10
      r1 += -8
      r2 = 7
      r3 = 42
      call ${H.trace_printk}
      exit`;
    const { prog_id } = (await ok(Subjects.progLoad, { prog_type: 'syscall', insns: insns(program), license: 'GPL' })) as { prog_id: number };
    expect(await ok(Subjects.prog(prog_id, 'test_run'), {})).toMatchObject({ retval: 6 });
    await nc.flush();
    await expect.poll(() => lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ bpfhive-1000 +\[000\] \.\.\.11 +\d+\.\d{6}: bpf_trace_printk: hi 42$/);
    sub.unsubscribe();

    const first = (await ok(Subjects.getNextId('prog'), { start_id: 0 })).next_id as number;
    expect((await ok(Subjects.getNextId('prog'), { start_id: first })).next_id).toBeGreaterThan(first);
    expect(await ok(Subjects.prog(prog_id, 'close'), {})).toEqual({});
    expect((await call(Subjects.prog(prog_id, 'info'), {})).body.code).toBe('ENOENT');
    expect((await call(Subjects.getNextId('prog'), { start_id: prog_id })).body.code).toBe('ENOENT');
  });
});
