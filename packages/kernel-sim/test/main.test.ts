import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { Subjects, asm, encode, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeVerifierService, serviceMain, startProcess } from './support/services.js';

/** The kernel-sim as its own OS process (dist/main.js), configured by environment variables alone. */
let nats: NatsTestServer;
let nc: NatsConnection;
let kernelSim: ChildProcess;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  fakeVerifierService(nc);
  kernelSim = await startProcess(serviceMain('kernel-sim'), { NATS_URL: nats.url, KERNEL_SIM_JIT: 'local', KERNEL_SIM_CPUS: '2' }, /serving/);
}, 60_000);

afterAll(async () => {
  if (kernelSim?.exitCode === null) kernelSim.kill('SIGKILL');
  await nc?.close();
  await nats?.stop();
});

async function request(subject: string, body: unknown): Promise<Record<string, unknown>> {
  const msg = await nc.request(subject, JSON.stringify(body), { timeout: 10_000 });
  return JSON.parse(msg.string()) as Record<string, unknown>;
}

describe('kernel-sim main', () => {
  it('registers as the micro service kernel-sim, loads and test-runs a program, and stops cleanly on SIGTERM', async () => {
    expect(await request('$SRV.PING.kernel-sim', {})).toMatchObject({ name: 'kernel-sim', type: 'io.nats.micro.v1.ping_response' });
    const { prog_id } = (await request(Subjects.progLoad, { prog_type: 'sched_cls', insns: toBase64(encode(asm`r0 = *(u32 *)(r1 + 0)\nexit`)), license: 'GPL' })) as { prog_id: number };
    expect(await request(Subjects.prog(prog_id, 'test_run'), { data_in: toBase64(new Uint8Array(64)) })).toMatchObject({ retval: 64, data_size_out: 64 });
    const exited = once(kernelSim, 'exit');
    kernelSim.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });
});
