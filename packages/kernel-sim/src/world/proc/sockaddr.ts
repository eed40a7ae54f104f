/**
 * `struct sockaddr_in` (16 bytes) and `struct sockaddr_in6` (28 bytes) as user space passes them:
 * family in host order (little-endian), port and address in network order.
 */
import { BpfError } from '@bpfhive/uapi';
import { formatIp, ipBytes } from '../net/addr.js';
import { parseEndpoint } from './syscall-request.js';

export const AF_INET = 2;
export const AF_INET6 = 10;

export interface Endpoint {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** `ip:port` text → a checked endpoint with the address in canonical form. EINVAL when malformed. */
export function endpoint(text: string): Endpoint {
  const e = parseEndpoint(text);
  try {
    return { ...e, address: formatIp(ipBytes(e.address)) };
  } catch (cause) {
    throw new BpfError('EINVAL', `address "${text}": ${(cause as Error).message}`);
  }
}

/** `ip:port`, with an IPv6 address in brackets: what `endpoint` reads. */
export function formatEndpoint(e: Endpoint): string {
  return e.family === 6 ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

export function encodeSockaddr(e: Endpoint): Uint8Array {
  const out = new Uint8Array(e.family === 4 ? 16 : 28);
  const view = new DataView(out.buffer);
  view.setUint16(0, e.family === 4 ? AF_INET : AF_INET6, true);
  view.setUint16(2, e.port, false);
  out.set(ipBytes(e.address), e.family === 4 ? 4 : 8);
  return out;
}

export function decodeSockaddr(bytes: Uint8Array): Endpoint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const family = view.getUint16(0, true);
  const port = view.getUint16(2, false);
  if (family === AF_INET) return { family: 4, port, address: formatIp(bytes.subarray(4, 8)) };
  if (family === AF_INET6) return { family: 6, port, address: formatIp(bytes.subarray(8, 24)) };
  throw new BpfError('EAFNOSUPPORT', `sockaddr: family ${family}`);
}
