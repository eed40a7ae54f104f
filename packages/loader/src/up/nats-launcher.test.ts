import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NatsServerMissingError, findNatsServer, listeningPort, natsSearchPath } from './nats-launcher.js';

describe('finding and reading nats-server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfhive-up-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('nats-server - PATH is searched first, then the sbin folders', () => {
    const dirs = natsSearchPath('/a:/b');
    expect(dirs.slice(0, 2)).toEqual(['/a', '/b']);
    expect(dirs).toContain('/usr/sbin');
  });

  it('nats-server - the first folder that holds it wins', () => {
    const file = join(dir, 'nats-server');
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o755);
    expect(findNatsServer(['/nonexistent', dir])).toBe(file);
  });

  it('nats-server - missing, the error says how to install it or use NATS_URL', () => {
    expect(() => findNatsServer(['/nonexistent'])).toThrow(NatsServerMissingError);
    const message = (() => {
      try {
        findNatsServer([]);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toMatch(/apt-get install nats-server/);
    expect(message).toMatch(/github\.com\/nats-io\/nats-server\/releases/);
    expect(message).toMatch(/NATS_URL=/);
  });

  it('nats-server - the client port is read from its log', () => {
    const log = '[1] [INF] Starting nats-server\n[1] [INF] Listening for client connections on 127.0.0.1:40123\n';
    expect(listeningPort(log)).toBe(40123);
    expect(listeningPort('[1] [INF] Starting nats-server\n')).toBeUndefined();
  });
});
