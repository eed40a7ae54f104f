import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { BPFHIVE_NATS_DEV_ENV, bpfhiveNatsOptions, readEnvFile } from './deploy-config.js';
import { NatsServerUnavailableError, startNatsServer } from './nats-server.js';

describe('testkit nats server', () => {
  it('starts a real server with JetStream that answers a request', async () => {
    const server = await startNatsServer({ env: { PATH: process.env.PATH } });
    try {
      expect(server.url).toMatch(/^nats:\/\/[\w.-]+:\d+$/);
      const nc = await connect({ servers: server.url, noAsyncTraces: true });
      const sub = nc.subscribe('echo');
      void (async () => {
        for await (const m of sub) m.respond(m.data);
      })();
      const reply = await nc.request('echo', 'ping', { timeout: 2_000 });
      expect(reply.string()).toBe('ping');
      expect(nc.info?.jetstream).toBe(true);
      await nc.close();
    } finally {
      await server.stop();
    }
  });

  it('uses NATS_URL as it is when set', async () => {
    const server = await startNatsServer({ env: { NATS_URL: 'nats://example.invalid:4222' } });
    expect(server).toMatchObject({ url: 'nats://example.invalid:4222', kind: 'env' });
    await server.stop();
  });

  it('starts a configured server, its passwords from serverEnv, even when NATS_URL is set', async () => {
    const env = { PATH: process.env.PATH, NATS_URL: 'nats://example.invalid:4222' };
    const server = await startNatsServer({ ...bpfhiveNatsOptions(), env, containers: false });
    try {
      expect(server.kind).toBe('binary');
      const nc = await connect({ servers: server.url, user: 'user', pass: readEnvFile(BPFHIVE_NATS_DEV_ENV).BPFHIVE_USER_PASSWORD, noAsyncTraces: true });
      await nc.close();
      await expect(connect({ servers: server.url, noAsyncTraces: true })).rejects.toThrow(/Authorization Violation/);
    } finally {
      await server.stop();
    }
  });

  it('says what is wrong with a configuration nats-server refuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfhive-conf-'));
    const config = join(dir, 'broken.conf');
    writeFileSync(config, 'authorization { users: [ { user: a, password: $BPFHIVE_TESTKIT_NEVER_SET } ] }\n');
    try {
      const attempt = startNatsServer({ config, env: { PATH: process.env.PATH }, containers: false });
      await expect(attempt).rejects.toThrow(/variable reference for 'BPFHIVE_TESTKIT_NEVER_SET'/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails clearly, never silently, when no server can be found', async () => {
    const attempt = startNatsServer({ env: {}, searchPath: ['/nonexistent'], containers: false });
    await expect(attempt).rejects.toThrow(NatsServerUnavailableError);
    await expect(attempt).rejects.toThrow(/apt-get install nats-server/);
  });
});
