import type { ChildProcess } from 'node:child_process';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { type VerifyReply, Subjects, assemble, encode, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVerifierService } from '../src/service/verifier-service.js';
import { HEAVY_MAP, heavyProgramSource } from '../bench/heavy-program.mjs';
import { exitCode, startVerifierProcess } from './support/service-process.js';

/**
 * No single load starves the others (issue 9): the verifier service verifies on worker threads,
 * with a lane for light programs, so while it walks a million instructions it still answers
 * PING, STATS and small programs. Assertions are about the order of the replies, never time.
 */
let nats: NatsTestServer;
let nc: NatsConnection;
const children: ChildProcess[] = [];

const wire = (text: string) => toBase64(encode(assemble(text)));
const HEAVY = { prog_type: 'xdp', insns: wire(heavyProgramSource()), license: 'GPL', maps: [HEAVY_MAP] };
/** About 145,000 processed instructions: long enough to be running when the service is told to stop. */
const MEDIUM = { ...HEAVY, insns: wire(heavyProgramSource(5_000)) };
const TINY = { prog_type: 'xdp', insns: wire('r0 = 2\nexit'), license: 'GPL', maps: [] };

async function verify(body: unknown): Promise<VerifyReply> {
  const msg = await nc.request(Subjects.internalVerify, JSON.stringify(body), { timeout: 120_000 });
  expect(msg.headers?.get('Nats-Service-Error-Code') || undefined).toBeUndefined();
  return JSON.parse(msg.string()) as VerifyReply;
}

async function stats(): Promise<{ workers?: { busy: number; queued: number; size: number; light_lane: number } }> {
  const msg = await nc.request('$SRV.STATS.verifier', '', { timeout: 10_000 });
  return (JSON.parse(msg.string()) as { endpoints: { data: Record<string, never> }[] }).endpoints[0]!.data;
}

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
}, 30_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await nc?.close();
  await nats?.stop();
});

describe('verifier service fairness', () => {
  it('answers a tiny program, PING and STATS while two million-instruction programs are verified', async () => {
    const child = await startVerifierProcess({ NATS_URL: nats.url, VERIFIER_WORKERS: '2' });
    children.push(child);
    const order: string[] = [];
    const heavy = [verify(HEAVY), verify(HEAVY)].map((p, i) => p.then((r) => (order.push(`heavy${i + 1}`), r)));
    await nc.flush();
    // One general worker runs the first heavy program, the second waits for it; the light lane is free.
    expect((await stats()).workers).toMatchObject({ size: 2, light_lane: 1, busy: 1, queued: 1 });
    order.push('stats');
    const tiny = await verify(TINY);
    order.push('tiny');
    expect(tiny.verdict).toBe('accept');
    await nc.request('$SRV.PING.verifier', '', { timeout: 10_000 });
    order.push('ping');
    const replies = await Promise.all(heavy);
    expect(order).toEqual(['stats', 'tiny', 'ping', 'heavy1', 'heavy2']);
    for (const reply of replies) {
      expect(reply.verdict).toBe('accept');
      expect(reply.stats.processed_insns).toBeGreaterThan(900_000);
    }
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  }, 180_000);

  it('answers the requests it took before it exits on SIGTERM', async () => {
    const child = await startVerifierProcess({ NATS_URL: nats.url, VERIFIER_WORKERS: '2' });
    children.push(child);
    const medium = verify(MEDIUM);
    const tiny = verify(TINY);
    // STATS is answered after the service took both requests (one connection, in order).
    expect((await stats()).workers?.busy).toBeGreaterThanOrEqual(1);
    child.kill('SIGTERM');
    expect((await tiny).verdict).toBe('accept');
    expect((await medium).verdict).toBe('accept');
    expect(await exitCode(child)).toBe(0);
  }, 180_000);

  it('answers ENOMEM for a verification over its memory budget, replaces the worker and keeps serving', async () => {
    const child = await startVerifierProcess({ NATS_URL: nats.url, VERIFIER_WORKERS: '2', VERIFIER_WORKER_HEAP_MB: '64' });
    children.push(child);
    const msg = await nc.request(Subjects.internalVerify, JSON.stringify(HEAVY), { timeout: 120_000 });
    expect(msg.headers?.get('Nats-Service-Error-Code')).toBe('12');
    expect(JSON.parse(msg.string())).toMatchObject({ errno: 12, code: 'ENOMEM', message: expect.stringMatching(/verify: the worker thread ran out of memory/) });
    expect((await verify(TINY)).verdict).toBe('accept');
    expect((await verify(MEDIUM)).verdict).toBe('accept');
    expect((await stats()).workers).toMatchObject({ size: 2, busy: 0, queued: 0, replaced: 1 });
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  }, 180_000);

  it('runs in this process too, and ends its worker threads on stop', async () => {
    const verifier = await startVerifierService(nc, { version: '0.0.0-test', workers: 2 });
    try {
      await nc.flush();
      // Both this service and nothing else are in the queue group now: only it answers.
      const reply = await verify(TINY);
      expect(reply.verdict).toBe('accept');
      expect((await stats()).workers).toMatchObject({ size: 2, light_lane: 1, busy: 0, queued: 0 });
    } finally {
      await verifier.stop();
    }
    await expect(verifier.service.stopped).resolves.toBeNull();
  });
});
