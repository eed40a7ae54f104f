import { describe, expect, it } from 'vitest';
import { bytes, u32, u64 } from './codecs.js';

describe('codecs', () => {
  it.each([
    ['u32 42', () => [...u32.encode(42)], [42, 0, 0, 0]],
    ['u32 max', () => u32.decode(u32.encode(0xffffffff)), 0xffffffff],
    ['u64 from a bigint', () => [...u64.encode(0x0102030405060708n)], [8, 7, 6, 5, 4, 3, 2, 1]],
    ['u64 from a number', () => u64.decode(u64.encode(42)), 42n],
    ['bytes pass through', () => [...bytes(2).encode(Uint8Array.of(1, 2))], [1, 2]],
  ])('%s', (_title, run, expected) => {
    expect(run()).toEqual(expected);
  });

  it.each([
    ['u32 -1', () => u32.encode(-1), /u32: -1 is out of range/],
    ['u32 of 3 bytes', () => u32.decode(new Uint8Array(3)), /u32: expected 4 bytes, got 3/],
    ['u64 of 2^64', () => u64.encode(2n ** 64n), /u64: .* is out of range/],
    ['bytes(4) of 2', () => bytes(4).encode(new Uint8Array(2)), /bytes: expected 4 bytes, got 2/],
  ])('%s is a RangeError', (_title, run, message) => {
    expect(run).toThrow(RangeError);
    expect(run).toThrow(message);
  });
});
