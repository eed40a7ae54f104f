/**
 * HTTP/1.1 request messages (RFC 9112) as TCP payload: a request line, header fields, an empty
 * line and an optional body (with Content-Length).
 */
import { NetFormatError } from './errors.js';

export interface HttpRequest {
  readonly method: string;
  /** The request target, e.g. `/api/items?id=3`. */
  readonly path: string;
  readonly version?: string;
  /** Header fields in order; `Host` is required by HTTP/1.1 and added first when missing. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: Uint8Array;
}

export interface ParsedHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly version: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
  /** Bytes of the whole message (head and body). */
  readonly length: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('latin1');

/** Encodes a request; `host` fills the Host field when `headers` has none. */
export function buildHttpRequest(req: HttpRequest, host?: string): Uint8Array {
  if (!TOKEN.test(req.method)) throw new NetFormatError(`build http: bad method "${req.method}"`);
  if (!req.path || /[\s]/.test(req.path)) throw new NetFormatError(`build http: bad request target "${req.path}"`);
  const headers = [...(req.headers ?? [])];
  if (!headers.some(([n]) => n.toLowerCase() === 'host')) headers.unshift(['Host', host ?? 'localhost']);
  const body = req.body ?? new Uint8Array(0);
  if (body.length > 0 && !headers.some(([n]) => n.toLowerCase() === 'content-length')) {
    headers.push(['Content-Length', String(body.length)]);
  }
  const head = `${req.method} ${req.path} ${req.version ?? 'HTTP/1.1'}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  const bytes = encoder.encode(head);
  const out = new Uint8Array(bytes.length + body.length);
  out.set(bytes);
  out.set(body, bytes.length);
  return out;
}

/**
 * Decodes a complete request from the start of `bytes`. Throws NetFormatError when the head is
 * incomplete or malformed, or the body is shorter than Content-Length says.
 */
export function parseHttpRequest(bytes: Uint8Array): ParsedHttpRequest {
  const text = decoder.decode(bytes);
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new NetFormatError('parse http: no end of header section (CRLF CRLF)');
  const [requestLine, ...fieldLines] = text.slice(0, end).split('\r\n');
  const m = /^(\S+) (\S+) (HTTP\/\d\.\d)$/.exec(requestLine ?? '');
  if (!m || !TOKEN.test(m[1]!)) throw new NetFormatError(`parse http: bad request line "${requestLine}"`);
  const headers = fieldLines.map((line): readonly [string, string] => {
    const colon = line.indexOf(':');
    if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) throw new NetFormatError(`parse http: bad header field "${line}"`);
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  const lengthField = headers.find(([n]) => n.toLowerCase() === 'content-length');
  const bodyLength = lengthField ? Number(lengthField[1]) : 0;
  const bodyStart = end + 4;
  if (!Number.isInteger(bodyLength) || bodyLength < 0) throw new NetFormatError(`parse http: bad Content-Length "${lengthField?.[1]}"`);
  if (bytes.length < bodyStart + bodyLength) throw new NetFormatError(`parse http: body has ${bytes.length - bodyStart} of ${bodyLength} bytes`);
  return {
    method: m[1]!,
    path: m[2]!,
    version: m[3]!,
    headers,
    body: bytes.slice(bodyStart, bodyStart + bodyLength),
    length: bodyStart + bodyLength,
  };
}

/** Whether a TCP payload starts like an HTTP request (a method token, a space, a target). */
export function looksLikeHttpRequest(payload: Uint8Array): boolean {
  const head = decoder.decode(payload.subarray(0, 16));
  return /^[A-Z]{3,8} \S/.test(head);
}
