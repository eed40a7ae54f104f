/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
 * big-endian words, an odd last byte padded with zero. Sums are kept unfolded (plain numbers well
 * below 2^53) and folded once at the end.
 */

/** Adds the 16-bit words of `bytes[start, end)` to `sum` (unfolded). */
export function onesSum(bytes: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  return sum;
}

/** Folds a sum into 16 bits and complements it: the value to store in a checksum field. */
export function foldComplement(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The checksum of `bytes[start, end)` alone (the IPv4 header, ICMPv4). */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return foldComplement(onesSum(bytes, start, end));
}

/**
 * The sum of the TCP/UDP/ICMPv6 pseudo-header: source and destination addresses (4 or 16 bytes
 * each), the protocol and the upper-layer length (RFC 793 for IPv4, RFC 8200 §8.1 for IPv6 — the
 * same words in both once summed).
 */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  let sum = onesSum(src, 0, src.length);
  sum = onesSum(dst, 0, dst.length, sum);
  return sum + protocol + Math.floor(length / 0x10000) + (length & 0xffff);
}

/** The checksum of an upper-layer segment `bytes[start, end)` with its pseudo-header. */
export function transportChecksum(src: Uint8Array, dst: Uint8Array, protocol: number, bytes: Uint8Array, start: number, end: number): number {
  return foldComplement(onesSum(bytes, start, end, pseudoHeaderSum(src, dst, protocol, end - start)));
}
