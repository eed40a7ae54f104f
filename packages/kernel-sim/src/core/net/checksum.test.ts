import { describe, expect, it } from 'vitest';
import { rfc1071, udpFrame } from '../../testing/packets.js';
import { csumAdd, csumFold, csumFrom32to16, csumPartial, csumReplace2, csumReplace4, csumSub } from './checksum.js';

/** A 16-bit checksum field as a little-endian host loads it. */
const le16 = (bytes: Uint8Array, at: number): number => bytes[at]! | (bytes[at + 1]! << 8);
const header = (): Uint8Array => udpFrame().slice(14, 34);

describe('checksum - the kernel\'s little-endian ones\' complement arithmetic', () => {
  it('checksum - csum_fold(csum_partial(header)) is 0 for a valid IPv4 header and the field for a zeroed one', () => {
    const ip = header();
    expect(csumFold(csumPartial(ip, 0))).toBe(0);
    const field = le16(ip, 10);
    ip[10] = ip[11] = 0;
    expect(csumFold(csumPartial(ip, 0))).toBe(field);
  });

  it('checksum - csum_replace2 and csum_replace4 agree with recomputing the checksum from scratch', () => {
    const ip = header();
    ip.set([ip[8]! - 1], 8); // TTL 64 -> 63
    const fromScratch = (() => {
      const copy = ip.slice();
      copy[10] = copy[11] = 0;
      return rfc1071(copy);
    })();
    const old = header();
    const replaced2 = csumReplace2(le16(old, 10), le16(old, 8), le16(ip, 8));
    const replaced4 = csumReplace4(le16(old, 10), le16(old, 8), le16(ip, 8));
    const expected = ((fromScratch & 0xff) << 8) | (fromScratch >> 8);
    expect([replaced2, replaced4]).toEqual([expected, expected]);
  });

  it('checksum - 32-bit addition carries around, subtraction undoes it, and folding to 16 bits keeps the sum', () => {
    expect(csumAdd(0xffffffff, 2)).toBe(2);
    expect(csumSub(csumAdd(0x12345678, 0x9abcdef0), 0x9abcdef0)).toBe(0x12345678);
    expect(csumFrom32to16(0x0001ffff)).toBe(0x0001);
    expect(csumPartial(Uint8Array.of(1, 2, 3), 0)).toBe(0x0201 + 3);
  });
});
