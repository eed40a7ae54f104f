/** Little helpers for the examples' map keys and values (little-endian, as the READMEs say). */

export const u32le = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

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
