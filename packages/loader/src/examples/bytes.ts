/** Little helpers for the examples' map keys and values (little-endian, as the READMEs say). */

export const u32le = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

/** An address's bytes in network order (IPv4 dotted quad, or IPv6 with `::`). */
export function addressBytes(text: string): Uint8Array {
  if (!text.includes(':')) return new Uint8Array(text.split('.').map(Number));
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined): number[] => (s ? s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return new Uint8Array(all.flatMap((g) => [g >> 8, g & 0xff]));
}

/** The dotted quad of the IPv4 address at `offset` of `bytes` (network order). */
export const ipv4Text = (bytes: Uint8Array, offset = 0): string => Array.from(bytes.subarray(offset, offset + 4)).join('.');

/** A `__be16` (network order). */
export const be16 = (n: number): Uint8Array => Uint8Array.of((n >> 8) & 0xff, n & 0xff);

/** Sums the `u64` at `offset` of every per-CPU slot of `size` bytes. */
export function perCpuSum(value: Uint8Array, size: number, offset: number): bigint {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  let sum = 0n;
  for (let at = 0; at + size <= value.byteLength; at += size) sum += view.getBigUint64(at + offset, true);
  return sum;
}

/** A NUL-terminated string in `bytes`. */
export function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(end < 0 ? bytes : bytes.subarray(0, end)).toString('utf8');
}

/** Waits until `ready()` or `ms` have passed. */
export async function until(ready: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
