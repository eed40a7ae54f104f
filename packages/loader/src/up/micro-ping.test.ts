import { describe, expect, it } from 'vitest';
import { parsePingReply } from './micro-ping.js';

describe('micro service ping replies', () => {
  it('ping - a ping response gives name, id and version', () => {
    const body = JSON.stringify({ type: 'io.nats.micro.v1.ping_response', name: 'jit', id: 'ABC', version: '0.1.0', metadata: {} });
    expect(parsePingReply(body)).toEqual({ name: 'jit', id: 'ABC', version: '0.1.0' });
  });

  it.each(['not json', '{}', '{"name":"jit"}', '[]'])('ping - %s is not a ping reply', (body) => {
    expect(parsePingReply(body)).toBeUndefined();
  });
});
