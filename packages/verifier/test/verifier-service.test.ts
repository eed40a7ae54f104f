import type { ChildProcess } from 'node:child_process';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { type VerifyReply, VerifyReplySchema, Subjects, assemble, encode, toBase64, validateWire } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVerifierProcess } from './support/service-process.js';

/** The verifier service as its own OS process (dist/main.js), against a real NATS server. */
let nats: NatsTestServer;
let nc: NatsConnection;
const services: ChildProcess[] = [];

async function startService(url: string): Promise<ChildProcess> {
  const child = await startVerifierProcess({ NATS_URL: url });
  services.push(child);
  return child;
}

const request = async (body: unknown) => {
  const msg = await nc.request(Subjects.internalVerify, typeof body === 'string' ? body : JSON.stringify(body), { timeout: 10_000 });
  return { code: msg.headers?.get('Nats-Service-Error-Code') || undefined, body: JSON.parse(msg.string()) as Record<string, unknown> };
};

const program = (text: string) => toBase64(encode(assemble(text)));
const HASH = { map_id: 7, map_type: 'hash', key_size: 4, value_size: 8, max_entries: 16, map_flags: 0 };

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

describe('verifier service', () => {
  it('accepts a safe program and reports its facts', async () => {
    const insns = program(`*(u32 *)(r10 - 4) = 0
      r2 = r10
      r2 += -4
      ld_pseudo r1, 1, 7
      call 1
      if r0 == 0 goto out
      r0 = *(u64 *)(r0 + 0)
      out:
      r0 = 2
      exit`);
    const { code, body } = await request({ prog_type: 'xdp', insns, license: 'GPL', log_level: 1, maps: [HASH] });
    expect(code).toBeUndefined();
    const reply = validateWire<VerifyReply>(VerifyReplySchema, body);
    expect(reply.verdict).toBe('accept');
    expect(reply.facts).toMatchObject({ helpers_used: [1], map_ids_used: [7], stack_depth: [8] });
    expect(reply.log).toMatch(/processed \d+ insns/);
  });

  it('rejects an unsafe program with the errno, the reason and the log', async () => {
    const insns = program(`*(u32 *)(r10 - 4) = 0
      r2 = r10
      r2 += -4
      ld_pseudo r1, 1, 7
      call 1
      r0 = *(u64 *)(r0 + 0)
      exit`);
    const { code, body } = await request({ prog_type: 6, insns, license: 'GPL', log_level: 1, maps: [HASH] });
    expect(code).toBeUndefined();
    const reply = validateWire<VerifyReply>(VerifyReplySchema, body);
    expect(reply).toMatchObject({ verdict: 'reject', errno: 13, code: 'EACCES', error: { insn: 6, message: "R0 invalid mem access 'map_value_or_null'" } });
    expect(reply.log).toContain("verification failed at insn 6: R0 invalid mem access 'map_value_or_null'");
  });

  it('applies the privileges it is given', async () => {
    const { body } = await request({ prog_type: 'xdp', insns: program('r0 = 2\nexit'), license: 'GPL', privileges: [], maps: [] });
    expect(body).toMatchObject({ verdict: 'reject', errno: 1, code: 'EPERM' });
  });

  it('rejects bytes that are not instructions with the kernel message', async () => {
    const bytes = new Uint8Array(8);
    bytes[0] = 0xff;
    const { code, body } = await request({ prog_type: 'xdp', insns: toBase64(bytes), license: 'GPL', log_level: 1, maps: [] });
    expect(code).toBeUndefined();
    expect(body).toMatchObject({ verdict: 'reject', errno: 22, error: { insn: 0, message: 'unknown opcode ff' } });
  });

  it.each([
    ['a body that is not JSON', '{nope', /bpf.v1.internal.verify: the body is not JSON/],
    ['a request without insns', { prog_type: 'xdp', license: 'GPL', maps: [] }, /must have required property 'insns'/],
    ['half an instruction', { prog_type: 'xdp', license: 'GPL', maps: [], insns: toBase64(new Uint8Array([0x95, 0, 0, 0])) }, /not a whole number of 8-byte slots/],
    ['an unknown map type', { prog_type: 'xdp', license: 'GPL', insns: program('r0 = 0\nexit'), maps: [{ ...HASH, map_type: 'nonsense' }] }, /unknown map type nonsense/],
    ['an unknown capability', { prog_type: 'xdp', license: 'GPL', insns: program('r0 = 0\nexit'), maps: [], privileges: ['CAP_ROOT'] }, /must be equal to one of the allowed values/],
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
    for await (const ping of await client.ping('verifier')) ids.add(ping.id);
    expect(ids.size).toBe(2);
    const insns = program('r0 = 1\nexit');
    const replies = await Promise.all(Array.from({ length: 40 }, () => request({ prog_type: 'xdp', insns, license: 'GPL', maps: [] })));
    expect(replies.every((r) => r.code === undefined && r.body.verdict === 'accept')).toBe(true);
    let served = 0;
    for await (const stats of await client.stats('verifier')) served += stats.endpoints?.[0]?.num_requests ?? 0;
    expect(served).toBeGreaterThanOrEqual(40);
  });
});
