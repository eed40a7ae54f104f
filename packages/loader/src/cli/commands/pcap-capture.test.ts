import { describe, expect, it } from 'vitest';
import { PcapFormatError, readCapture, splitCapture } from './pcap-capture.js';

/** A pcap file: `le` byte order, `ns` or `us` timestamps, link type, and records of the given lengths (filled with their index). */
function pcap(lengths: readonly number[], { le = true, ns = false, linkType = 1, major = 2 } = {}): Uint8Array {
  const out = new Uint8Array(24 + lengths.reduce((n, l) => n + 16 + l, 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, ns ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, major, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, 65535, le);
  v.setUint32(20, linkType, le);
  let at = 24;
  lengths.forEach((l, i) => {
    v.setUint32(at, 1000 + i, le);
    v.setUint32(at + 4, 999, le);
    v.setUint32(at + 8, l, le);
    v.setUint32(at + 12, l, le);
    out.fill(i, at + 16, at + 16 + l);
    at += 16 + l;
  });
  return out;
}

describe('cli pcap capture - checked before anything is sent', () => {
  it.each([
    ['little-endian, microseconds', { le: true, ns: false }],
    ['big-endian, nanoseconds', { le: false, ns: true }],
  ])('%s: records and their captured bytes', (_title, options) => {
    const capture = readCapture(pcap([60, 100, 1514], options));
    expect(capture.records.map((r) => r.captured)).toEqual([60, 100, 1514]);
    expect(capture.frameBytes).toBe(1674);
  });

  it.each([
    ['shorter than the header', new Uint8Array(20), /20 bytes is shorter than the 24-byte pcap file header/],
    ['pcapng', Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, ...new Array<number>(20).fill(0)), /pcapng/],
    ['bad magic', new Uint8Array(24).fill(7), /bad magic number 0x07070707/],
    ['version 3', pcap([60], { major: 3 }), /pcap version 3.4/],
    ['not Ethernet', pcap([60], { linkType: 101 }), /link type 101 is not Ethernet/],
    ['no records', pcap([]), /holds no packets/],
    ['truncated record header', pcap([60]).subarray(0, 30), /record 0 at byte 24: truncated record header \(6 bytes\)/],
    ['truncated data', pcap([60, 60]).subarray(0, 24 + 76 + 16 + 10), /record 1 at byte 100: header says 60 bytes but 10 remain/],
  ])('%s', (_title, bytes, message) => {
    expect(() => readCapture(bytes)).toThrow(PcapFormatError);
    expect(() => readCapture(bytes)).toThrow(message);
  });

  it('a sub-second field of a whole second or more is refused', () => {
    const bytes = pcap([60]);
    new DataView(bytes.buffer).setUint32(24 + 4, 1_000_000, true);
    expect(() => readCapture(bytes)).toThrow(/sub-second field 1000000 is not below one second/);
  });

  it('a captured length over 262144 is refused', () => {
    const bytes = pcap([60]);
    new DataView(bytes.buffer).setUint32(24 + 8, 262145, true);
    expect(() => readCapture(bytes)).toThrow(/captured length 262145 exceeds 262144/);
  });
});

describe('cli pcap capture - pieces that fit a message', () => {
  const lengths = [100, 200, 300, 50, 400, 60];
  const file = pcap(lengths);

  it('a file that fits is one piece: the file itself', () => {
    const pieces = splitCapture(readCapture(file), file.length);
    expect(pieces).toHaveLength(1);
    expect(pieces[0]!.bytes).toBe(file);
    expect(pieces[0]!.frameLengths).toEqual(lengths);
  });

  it.each([500, 700, 1000, 24 + 416])('pieces of at most %i bytes: whole pcap files, records in order, none lost', (max) => {
    const pieces = splitCapture(readCapture(file), max);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(piece.bytes.length).toBeLessThanOrEqual(max);
      expect(piece.bytes.subarray(0, 24)).toEqual(file.subarray(0, 24));
      expect(readCapture(piece.bytes).records.map((r) => r.captured)).toEqual(piece.frameLengths);
    }
    expect(pieces.flatMap((p) => p.frameLengths)).toEqual(lengths);
    // The records' bytes, in order, are the file's.
    const body = pieces.flatMap((p) => [...p.bytes.subarray(24)]);
    expect(Uint8Array.from(body)).toEqual(file.subarray(24));
  });

  it('a record that cannot fit a message alone is refused', () => {
    expect(() => splitCapture(readCapture(file), 400)).toThrow(/record 4 at byte 738 \(416 bytes\) does not fit in one message of 400 bytes/);
  });
});
