import { describe, expect, it } from 'vitest';
import { DEFAULT_NATS_URL, natsConnectOptions, natsServersText } from './nats-options.js';

describe('nats connect options from the environment', () => {
  it.each([
    ['nothing set: the local default, no login', {}, { servers: DEFAULT_NATS_URL }],
    ['an empty NATS_URL counts as unset', { NATS_URL: '' }, { servers: DEFAULT_NATS_URL }],
    ['one URL', { NATS_URL: 'nats://nats:4222' }, { servers: 'nats://nats:4222' }],
    ['a cluster, comma-separated', { NATS_URL: 'nats://a:4222, nats://b:4222' }, { servers: ['nats://a:4222', 'nats://b:4222'] }],
    ['a user and password', { NATS_USER: 'bpfhive', NATS_PASSWORD: 'secret' }, { servers: DEFAULT_NATS_URL, user: 'bpfhive', pass: 'secret' }],
    ['a token', { NATS_TOKEN: 't0k3n' }, { servers: DEFAULT_NATS_URL, token: 't0k3n' }],
    ['empty login variables count as unset', { NATS_USER: '', NATS_PASSWORD: '', NATS_TOKEN: '' }, { servers: DEFAULT_NATS_URL }],
  ])('nats options - %s', (_title, env, expected) => {
    expect(natsConnectOptions(env)).toStrictEqual(expected);
  });

  it.each([
    ['a user without a password', { NATS_USER: 'bpfhive' }, /NATS_USER and NATS_PASSWORD must be set together/],
    ['a password without a user', { NATS_PASSWORD: 'secret' }, /NATS_USER and NATS_PASSWORD must be set together/],
    ['a token and a user', { NATS_TOKEN: 't', NATS_USER: 'u', NATS_PASSWORD: 'p' }, /not both/],
  ])('nats options - %s is an error naming the variables', (_title, env, message) => {
    expect(() => natsConnectOptions(env)).toThrow(message);
  });

  it('nats options - log lines show the servers, never the password', () => {
    const options = natsConnectOptions({ NATS_URL: 'nats://a:4222,nats://b:4222', NATS_USER: 'bpfhive', NATS_PASSWORD: 'secret' });
    expect(natsServersText(options)).toBe('nats://a:4222,nats://b:4222');
  });
});
