import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
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

  it('fails clearly, never silently, when no server can be found', async () => {
    const attempt = startNatsServer({ env: {}, searchPath: ['/nonexistent'], containers: false });
    await expect(attempt).rejects.toThrow(NatsServerUnavailableError);
    await expect(attempt).rejects.toThrow(/apt-get install nats-server/);
  });
});
