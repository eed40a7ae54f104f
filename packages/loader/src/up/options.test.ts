import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/io.js';
import { DEFAULT_NATS_URL } from './env.js';
import { parseReplicas, parseUpArgs } from './options.js';

const noEnv = { natsUrl: undefined };

describe('bpfhive up options', () => {
  it('up options - no flags and no NATS_URL start a local nats-server, data in ./.bpfhive', () => {
    const o = parseUpArgs([], noEnv, '/work/x');
    expect(o.nats).toEqual({ kind: 'local' });
    expect(o.dataDir).toBe('/work/x/.bpfhive');
    expect(o.replicas.size).toBe(0);
    expect(o.quiet).toBe(false);
    expect(o.readyTimeoutMs).toBe(30_000);
  });

  it.each([
    { args: [], env: { natsUrl: 'nats://h:1' }, nats: { kind: 'external', url: 'nats://h:1', from: 'NATS_URL' } },
    { args: ['--nats', 'nats://a:2'], env: { natsUrl: 'nats://h:1' }, nats: { kind: 'external', url: 'nats://a:2', from: '--nats' } },
    { args: ['--no-nats'], env: noEnv, nats: { kind: 'external', url: DEFAULT_NATS_URL, from: 'default' } },
    { args: ['--no-nats'], env: { natsUrl: 'nats://h:1' }, nats: { kind: 'external', url: 'nats://h:1', from: 'NATS_URL' } },
  ])('up options - $args with NATS_URL=$env.natsUrl uses $nats.url', ({ args, env, nats }) => {
    expect(parseUpArgs(args, env, '/').nats).toEqual(nats);
  });

  it('up options - --data, --quiet, --timeout and repeated --replicas are read', () => {
    const o = parseUpArgs(['--data', '/var/b', '--quiet', '--timeout', '2.5', '--replicas', 'jit=2', '--replicas', 'verifier=3'], noEnv, '/');
    expect(o.dataDir).toBe('/var/b');
    expect(o.quiet).toBe(true);
    expect(o.readyTimeoutMs).toBe(2500);
    expect([...o.replicas]).toEqual([
      ['jit', 2],
      ['verifier', 3],
    ]);
  });

  it.each([
    [['extra'], /no arguments/],
    [['--timeout', '0'], /--timeout/],
    [['--nats', ''], /needs a URL/],
  ])('up options - %j is a usage error', (args, message) => {
    expect(() => parseUpArgs(args, noEnv, '/')).toThrow(message);
  });
});

describe('--replicas', () => {
  it('replicas - jit=2,verifier=2 gives two of each, whitespace and empty items ignored', () => {
    expect(Object.fromEntries(parseReplicas(' jit=2, ,verifier=2'))).toEqual({ jit: 2, verifier: 2 });
  });

  it('replicas - one instance of a stateful service is allowed', () => {
    expect(Object.fromEntries(parseReplicas('maps-store=1,kernel-sim=1'))).toEqual({ 'maps-store': 1, 'kernel-sim': 1 });
  });

  it.each([
    ['jit', /SERVICE=N/],
    ['jit=x', /SERVICE=N/],
    ['bogus=2', /unknown service 'bogus'/],
    ['jit=0', /1 to 16/],
    ['jit=17', /1 to 16/],
    ['maps-store=2', /keeps state and runs once/],
    ['kernel-sim=2', /keeps state and runs once/],
  ])('replicas - %s is rejected', (text, message) => {
    expect(() => parseReplicas(text)).toThrow(UsageError);
    expect(() => parseReplicas(text)).toThrow(message);
  });
});
