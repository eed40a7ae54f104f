import { describe, expect, it } from 'vitest';
import { NetFormatError } from './errors.js';
import { buildHttpRequest, looksLikeHttpRequest, parseHttpRequest } from './http.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('net http', () => {
  it('builds a request with Host first and Content-Length for a body', () => {
    const bytes = buildHttpRequest({ method: 'POST', path: '/api/items', headers: [['Accept', '*/*']], body: new TextEncoder().encode('{"a":1}') }, 'shop.example');
    expect(text(bytes)).toBe('POST /api/items HTTP/1.1\r\nHost: shop.example\r\nAccept: */*\r\nContent-Length: 7\r\n\r\n{"a":1}');
  });

  it('parses what it builds', () => {
    const bytes = buildHttpRequest({ method: 'GET', path: '/index.html?x=1', headers: [['Host', 'a.b'], ['User-Agent', 'bpfhive']] });
    const req = parseHttpRequest(bytes);
    expect(req).toMatchObject({ method: 'GET', path: '/index.html?x=1', version: 'HTTP/1.1', length: bytes.length });
    expect(req.headers).toEqual([['Host', 'a.b'], ['User-Agent', 'bpfhive']]);
    expect(looksLikeHttpRequest(bytes)).toBe(true);
    expect(looksLikeHttpRequest(new Uint8Array([0, 1, 2]))).toBe(false);
  });

  it.each([
    ['GET / HTTP/1.1\r\nHost: a', /no end of header/],
    ['GET /\r\n\r\n', /bad request line/],
    ['GET / HTTP/1.1\r\nno colon\r\n\r\n', /bad header field/],
    ['POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab', /body has 2 of 5/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseHttpRequest(new TextEncoder().encode(raw))).toThrow(message);
  });

  it('rejects a method that is not a token', () => {
    expect(() => buildHttpRequest({ method: 'GE T', path: '/' })).toThrow(NetFormatError);
  });
});
