/**
 * Legacy packet loads, LD_ABS and LD_IND (RFC 9669 §5.5, Linux net/core/filter.c).
 *
 * Linux rewrites them into a call of `bpf_skb_load_helper_{8,16,32}` on the skb in r6 with an
 * `int` offset (LD_ABS: imm; LD_IND: src + imm, truncated to 32 bits, signed), reads the packet
 * big-endian, zero-extends into r0, and when the read fails does `r0 = 0; exit`, which leaves
 * the current function. The interpreter does the same. Negative offsets (the SKF_NET_OFF and
 * SKF_LL_OFF ancillary areas) are not modelled and count as out of bounds.
 */

/** The packet value at `offset`, big-endian and zero-extended, or undefined when it is outside. */
export function loadPacket(packet: Uint8Array, offset: number, size: 1 | 2 | 4): bigint | undefined {
  if (offset < 0 || offset + size > packet.length) return undefined;
  let value = 0n;
  for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(packet[offset + i]!);
  return value;
}

/** The `int` offset Linux passes to the load helper. */
export function packetOffset(imm: number, index: bigint | undefined): number {
  return index === undefined ? imm : Number(BigInt.asIntN(32, index + BigInt(imm)));
}
