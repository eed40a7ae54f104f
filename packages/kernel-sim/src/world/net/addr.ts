/**
 * Addresses as text and as bytes: MAC (`02:00:00:00:00:01`), IPv4 (`10.0.0.1`), IPv6 (RFC 5952
 * text), and prefixes (`10.0.0.0/24`). Parsers throw NetFormatError naming the bad text.
 */
import { NetFormatError } from './errors.js';

export type IpFamily = 4 | 6;

/** `aa:bb:cc:dd:ee:ff` (or with `-`) → 6 bytes. */
export function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new NetFormatError(`parse mac: "${text}" is not six hex bytes`);
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

export function formatMac(bytes: Uint8Array, offset = 0): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push(bytes[offset + i]!.toString(16).padStart(2, '0'));
  return out.join(':');
}

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

/** Dotted quad → the address as an unsigned 32-bit number (network order value). */
export function parseIPv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new NetFormatError(`parse ipv4: "${text}" is not a dotted quad`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** IPv6 text (with `::` and an optional trailing dotted quad) → 16 bytes. */
export function parseIPv6(text: string): Uint8Array {
  const fail = (): never => {
    throw new NetFormatError(`parse ipv6: "${text}" is not an IPv6 address`);
  };
  let body = text;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (v4) {
    const n = parseIPv4(v4[1]!);
    tail.push(n >>> 16, n & 0xffff);
    body = body.slice(0, -v4[1]!.length);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) fail();
  const groups = (s: string): number[] =>
    s === '' ? [] : s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : fail()));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) fail();
  const all = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** 16 bytes → RFC 5952 text: lower case, no leading zeros, the longest run of 2+ zero groups as `::`. */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** The family of an address written as text. */
export function familyOf(text: string): IpFamily {
  return text.includes(':') ? 6 : 4;
}

/** An address in either family → its bytes (4 or 16). */
export function ipBytes(text: string): Uint8Array {
  if (familyOf(text) === 6) return parseIPv6(text);
  const n = parseIPv4(text);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** 4 or 16 bytes → text. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 16) return formatIPv6(bytes);
  return formatIPv4(((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0);
}

/** An address with a prefix length, as `ip addr` shows it. */
export interface Prefix {
  readonly family: IpFamily;
  readonly address: string;
  readonly length: number;
}

/** `10.0.0.1/24`, `fd00::1/64`, or a bare address (a host prefix: /32 or /128). */
export function parsePrefix(text: string): Prefix {
  const [address, len, extra] = text.split('/');
  if (address === undefined || extra !== undefined) throw new NetFormatError(`parse prefix: "${text}"`);
  const family = familyOf(address);
  const bytes = ipBytes(address);
  const max = family === 4 ? 32 : 128;
  const length = len === undefined ? max : Number(len);
  if (!/^\d+$/.test(len ?? String(max)) || length > max) {
    throw new NetFormatError(`parse prefix: "${text}" has a prefix length outside 0..${max}`);
  }
  return { family, address: formatIp(bytes), length };
}

export function formatPrefix(p: Prefix): string {
  return `${p.address}/${p.length}`;
}

/**
 * The `index`-th address of a prefix counted from its network address, wrapping inside the
 * prefix: `addressInPrefix(10.0.0.0/24, 5)` is `10.0.0.5`.
 */
export function addressInPrefix(p: Prefix, index: number): string {
  const bytes = ipBytes(p.address);
  const hostBits = bytes.length * 8 - p.length;
  let carry = BigInt(index) & ((1n << BigInt(hostBits)) - 1n);
  for (let i = bytes.length - 1; i >= 0; i--) {
    const bitsHere = Math.max(0, Math.min(8, hostBits - (bytes.length - 1 - i) * 8));
    const mask = (1 << bitsHere) - 1;
    bytes[i] = (bytes[i]! & ~mask) | (Number(carry & 0xffn) & mask);
    carry >>= 8n;
  }
  return formatIp(bytes);
}

/** How many addresses a prefix holds (capped at 2^32, enough to pick from). */
export function prefixSize(p: Prefix): number {
  const hostBits = (p.family === 4 ? 32 : 128) - p.length;
  return hostBits >= 32 ? 0x1_0000_0000 : 2 ** hostBits;
}

/** Whether `address` (same family) lies inside `p`. */
export function prefixContains(p: Prefix, address: string): boolean {
  const a = ipBytes(address);
  const n = ipBytes(p.address);
  if (a.length !== n.length) return false;
  for (let bit = 0; bit < p.length; bit++) {
    const mask = 0x80 >> bit % 8;
    if ((a[bit >> 3]! & mask) !== (n[bit >> 3]! & mask)) return false;
  }
  return true;
}
