import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NetFormatError } from '../errors.js';
import { pcapTimeDiff, pcapTimeOf } from './format.js';
import { readPcap } from './reader.js';
import { replayPcap } from './replay.js';
import { PcapWriter } from './writer.js';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../../test/fixtures/world/${name}`, import.meta.url))));
const frame = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

describe('pcap - reading a file written by another tool', () => {
  it('big-endian microsecond file: header, times, truncated record', () => {
    const f = readPcap(fixture('two-frames-be-us.pcap'));
    expect(f.header).toMatchObject({ byteOrder: 'be', precision: 'us', versionMajor: 2, versionMinor: 4, snaplen: 65535, linkType: 1 });
    expect(f.records.length).toBe(2);
    expect(f.records[0]!.time).toEqual({ seconds: 1700000000, nanos: 250_000_000 });
    expect(f.records[0]!.data.length).toBe(60);
    expect(f.records[1]).toMatchObject({ time: { seconds: 1700000001, nanos: 5000 }, originalLength: 60 });
    expect(f.records[1]!.data.length).toBe(40);
    expect(pcapTimeDiff(f.records[0]!.time, f.records[1]!.time)).toBe(750_005_000);
  });
});

describe('pcap - round trips', () => {
  it.each([
    ['us', 'le'],
    ['us', 'be'],
    ['ns', 'le'],
    ['ns', 'be'],
  ] as const)('%s timestamps, %s byte order', (precision, byteOrder) => {
    const w = new PcapWriter({ precision, byteOrder, snaplen: 100 });
    w.add(pcapTimeOf(1_234_567_891, 1_700_000_000), frame(60, 1));
    w.add(pcapTimeOf(2_000_000_000, 1_700_000_000), frame(150, 2));
    const f = readPcap(w.bytes());
    expect(f.header).toMatchObject({ precision, byteOrder, snaplen: 100, linkType: 1 });
    expect(f.records[0]!.time).toEqual({ seconds: 1_700_000_001, nanos: precision === 'ns' ? 234_567_891 : 234_567_000 });
    expect(f.records[0]!.data).toEqual(frame(60, 1));
    expect(f.records[1]!.data).toEqual(frame(100, 2));
    expect(f.records[1]!.originalLength).toBe(150);
  });

  it('the magic numbers are the documented ones', () => {
    expect(Buffer.from(new PcapWriter({ precision: 'us', byteOrder: 'be' }).bytes().subarray(0, 4)).toString('hex')).toBe('a1b2c3d4');
    expect(Buffer.from(new PcapWriter({ precision: 'ns', byteOrder: 'le' }).bytes().subarray(0, 4)).toString('hex')).toBe('4d3cb2a1');
  });
});

describe('pcap - bad files fail clearly', () => {
  const good = (): Uint8Array => {
    const w = new PcapWriter();
    w.add({ seconds: 1, nanos: 0 }, frame(60, 0));
    return w.bytes();
  };

  it.each([
    ['too short', new Uint8Array(10), /shorter than the 24-byte file header/],
    ['bad magic', new Uint8Array(24).fill(7), /bad magic number 0x07070707/],
    ['pcapng', Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, ...new Array<number>(20).fill(0)), /pcapng/],
    ['truncated record header', good().subarray(0, 30), /record 0 at byte 24: truncated record header/],
    ['truncated data', good().subarray(0, 24 + 16 + 10), /header says 60 bytes but 10 remain/],
  ])('%s', (_name, bytes, message) => {
    expect(() => readPcap(bytes)).toThrow(NetFormatError);
    expect(() => readPcap(bytes)).toThrow(message);
  });

  it('a wrong version is refused', () => {
    const b = good();
    b[4] = 3;
    expect(() => readPcap(b)).toThrow(/version 3.4/);
  });
});

describe('pcap - replay', () => {
  const capture = () => {
    const w = new PcapWriter({ precision: 'ns' });
    w.add({ seconds: 10, nanos: 0 }, frame(60, 1));
    w.add({ seconds: 10, nanos: 1000 }, frame(60, 2));
    w.add({ seconds: 10, nanos: 5000 }, frame(60, 3));
    return readPcap(w.bytes());
  };

  it('keeps the recorded gaps, scaled by speed, from a start time', () => {
    expect([...replayPcap(capture(), { start: 100 })].map((f) => f.time)).toEqual([100, 1100, 5100]);
    expect([...replayPcap(capture(), { speed: 2 })].map((f) => f.time)).toEqual([0, 500, 2500]);
  });

  it('at a fixed rate, over several loops', () => {
    const frames = [...replayPcap(capture(), { rate: 1000, loops: 2 })];
    expect(frames.map((f) => f.time)).toEqual([0, 1e6, 2e6, 3e6, 4e6, 5e6]);
    expect(frames.map((f) => f.frame[0])).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('recorded loops follow one another without overlapping', () => {
    const times = [...replayPcap(capture(), { loops: 2 })].map((f) => f.time);
    expect(times).toEqual([0, 1000, 5000, 7500, 8500, 12500]);
  });

  it('refuses captures that are not Ethernet and nonsense rates', () => {
    const w = new PcapWriter({ linkType: 101 });
    expect(() => [...replayPcap(readPcap(w.bytes()))]).toThrow(/link type 101/);
    expect(() => [...replayPcap(capture(), { rate: 0 })]).toThrow(/rate 0/);
  });
});
