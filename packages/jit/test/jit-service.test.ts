import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { type JitReply, JitReplySchema, Subjects, assemble, encode, fromBase64, toBase64, validateWire } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The jit service as its own OS process (dist/main.js), against a real NATS server. */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let nats: NatsTestServer;
let nc: NatsConnection;
const services: ChildProcess[] = [];

function startService(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, NATS_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
  services.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`jit service did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('serving')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`jit service exited with ${code}: ${out}`)));
  });
}

const request = async (body: unknown) => {
  const msg = await nc.request(Subjects.internalJit, typeof body === 'string' ? body : JSON.stringify(body), { timeout: 5_000 });
  return { code: msg.headers?.get('Nats-Service-Error-Code') || undefined, body: JSON.parse(msg.string()) as Record<string, unknown> };
};

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  await Promise.all([startService(nats.url), startService(nats.url)]);
}, 30_000);

afterAll(async () => {
  for (const s of services) s.kill('SIGTERM');
  await nc?.close();
  await nats?.stop();
});

describe('jit service', () => {
  it('compiles a program to a module that runs', async () => {
    const insns = assemble('r0 = r1\nr0 *= 6\nexit');
    const { code, body } = await request({ insns: toBase64(encode(insns)), memory: { initial: 1, maximum: 1, shared: true } });
    expect(code).toBeUndefined();
    const reply = validateWire<JitReply>(JitReplySchema, body);
    expect(reply.stats).toMatchObject({ functions: 1, instructions: 3, structured: true });
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const instance = await WebAssembly.instantiate(fromBase64(reply.module, 'module') as Uint8Array<ArrayBuffer>, { env: { memory } });
    const main = instance.instance.exports.main as (...args: bigint[]) => bigint;
    expect(main(7n, 0n, 0n, 0n, 0n, 4096n)).toBe(42n);
  });

  it.each([
    ['a body that is not JSON', '{nope', /bpf.v1.internal.jit: the body is not JSON/],
    ['a request without insns', {}, /must have required property 'insns'/],
    ['bytes that are not instructions', { insns: toBase64(new Uint8Array([0x95, 0, 0, 0])) }, /decode: instruction 0: truncated/],
    ['a reserved field set', { insns: toBase64(new Uint8Array([0x95, 0, 0, 0, 1, 0, 0, 0])) }, /reserved field imm must be 0/],
    ['a jump out of the program', { insns: toBase64(encode(assemble('goto +5\nexit'))) }, /jit: instruction 0: jump or call to slot 6 lands outside the program/],
  ])('answers %s with EINVAL, and keeps serving', async (_title, body, message) => {
    const reply = await request(body);
    expect(reply.code).toBe('22');
    expect(reply.body).toMatchObject({ errno: 22, code: 'EINVAL' });
    expect(reply.body.message).toMatch(message);
  });

  it('runs as a queue group: both replicas answer PING and share the load', async () => {
    const svc = await import('@nats-io/services');
    const client = new svc.Svcm(nc as never).client();
    const ids = new Set<string>();
    for await (const ping of await client.ping('jit')) ids.add(ping.id);
    expect(ids.size).toBe(2);
    const insns = toBase64(encode(assemble('r0 = 1\nexit')));
    const replies = await Promise.all(Array.from({ length: 40 }, () => request({ insns })));
    expect(replies.every((r) => r.code === undefined)).toBe(true);
    let served = 0;
    for await (const stats of await client.stats('jit')) served += stats.endpoints?.[0]?.num_requests ?? 0;
    expect(served).toBeGreaterThanOrEqual(40);
  });
});
