/**
 * The Internet checksum arithmetic of include/net/checksum.h and x86-64's csum_partial, on the
 * values a little-endian host holds: a 16-bit checksum field read from a packet with a plain
 * (little-endian) load, 32-bit partial sums (`__wsum`) of little-endian words. Programs and helpers
 * use the same convention, so their results match Linux's bit for bit on x86-64.
 */

/** csum_add: 32-bit ones' complement addition. */
export function csumAdd(a: number, b: number): number {
  const sum = ((a >>> 0) + (b >>> 0)) >>> 0;
  return (sum + (sum < b >>> 0 ? 1 : 0)) >>> 0;
}

/** csum_sub. */
export const csumSub = (a: number, b: number): number => csumAdd(a, ~b >>> 0);

/** csum_fold: a 32-bit partial sum to the 16-bit checksum (complemented). */
export function csumFold(sum: number): number {
  const s = sum >>> 0;
  const t = (s + (((s >>> 16) | (s << 16)) >>> 0)) >>> 0;
  return ~(t >>> 16) & 0xffff;
}

/** csum_from32to16: a 32-bit partial sum folded to 16 bits, not complemented. */
export function csumFrom32to16(sum: number): number {
  const s = sum >>> 0;
  return (((s + (((s >>> 16) | (s << 16)) >>> 0)) >>> 0) >>> 16) & 0xffff;
}

/** csum_partial: the ones' complement sum of `bytes` as little-endian words, plus `seed`, in 32 bits. */
export function csumPartial(bytes: Uint8Array, seed: number): number {
  let acc = seed >>> 0;
  let i = 0;
  for (; i + 4 <= bytes.length; i += 4) acc += (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
  if (bytes.length - i >= 2) {
    acc += bytes[i]! | (bytes[i + 1]! << 8);
    i += 2;
  }
  if (i < bytes.length) acc += bytes[i]!;
  while (acc > 0xffffffff) acc = (acc % 0x1_0000_0000) + Math.floor(acc / 0x1_0000_0000);
  return acc >>> 0;
}

/** csum16_add: 16-bit ones' complement addition. */
function csum16Add(a: number, b: number): number {
  const res = (a + b) & 0xffff;
  return (res + (res < (b & 0xffff) ? 1 : 0)) & 0xffff;
}

/** csum_replace2: update checksum `sum` for a 16-bit field that changed from `from` to `to`. */
export const csumReplace2 = (sum: number, from: number, to: number): number => ~csum16Add(csum16Add(~sum & 0xffff, ~from & 0xffff), to & 0xffff) & 0xffff;

/** csum_replace4 (and inet_proto_csum_replace2/4 without CHECKSUM_PARTIAL): for a 32-bit field. */
export const csumReplace4 = (sum: number, from: number, to: number): number => csumFold(csumAdd(csumSub(~sum >>> 0, from >>> 0), to >>> 0));

/** csum_replace_by_diff: apply a partial sum of differences (what bpf_csum_diff returns). */
export const csumReplaceByDiff = (sum: number, diff: number): number => csumFold(csumAdd(diff >>> 0, ~sum >>> 0));
