/**
 * Test packets: an Ethernet + IPv4 + UDP frame with a correct IPv4 header checksum, and the
 * RFC 1071 checksum computed the plain way (big-endian 16-bit words), independent of the kernel's
 * little-endian csum arithmetic it checks.
 */

export const MAC_A = [0x02, 0, 0, 0, 0, 0xaa];
export const MAC_B = [0x02, 0, 0, 0, 0, 0xbb];

/** RFC 1071 over big-endian 16-bit words. */
export function rfc1071(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Ethernet (dst MAC_B, src MAC_A) + IPv4 10.0.0.1 → 10.0.0.2, TTL 64, UDP 1234 → 80 with `payload`. */
export function udpFrame(payload: Uint8Array = new Uint8Array(18), dst: readonly number[] = MAC_B): Uint8Array {
  const frame = new Uint8Array(14 + 20 + 8 + payload.length);
  frame.set([...dst, ...MAC_A, 0x08, 0x00]);
  const ip = frame.subarray(14, 34);
  const total = 20 + 8 + payload.length;
  ip.set([0x45, 0, total >> 8, total & 0xff, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  const sum = rfc1071(ip);
  ip[10] = sum >> 8;
  ip[11] = sum & 0xff;
  frame.set([1234 >> 8, 1234 & 0xff, 0, 80, (8 + payload.length) >> 8, (8 + payload.length) & 0xff, 0, 0], 34);
  frame.set(payload, 42);
  return frame;
}
