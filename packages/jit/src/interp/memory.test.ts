import { describe, expect, it } from 'vitest';
import { MemoryFault } from './errors.js';
import { AddressSpace, type Region } from './memory.js';

const region = (name: string, base: bigint, size: number, writable = true): Region => ({
  name,
  base,
  bytes: new Uint8Array(size),
  writable,
});

describe('interp memory', () => {
  it('interp - stores and loads are little-endian', () => {
    const space = new AddressSpace([region('data', 0x1000n, 16)]);
    space.store(0x1000n, 8, 0x1122_3344_5566_7788n);
    expect([...space.read(0x1000n, 8)]).toEqual([0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
    expect(space.load(0x1002n, 2)).toBe(0x5566n);
    expect(space.load(0x1000n, 4)).toBe(0x5566_7788n);
  });

  it('interp - a store keeps only the low bytes of the value', () => {
    const space = new AddressSpace([region('data', 0x1000n, 4)]);
    space.store(0x1000n, 2, 0xffff_abcdn);
    expect(space.load(0x1000n, 4)).toBe(0xabcdn);
  });

  it.each([
    ['past the end', 0x1010n, 1, 'out of bounds: 1-byte load at 0x1010 (data + 16)'],
    ['straddling the end', 0x100cn, 8, 'out of bounds: 8-byte load at 0x100c (data + 12)'],
    ['before the start', 0xff8n, 4, 'out of bounds: 4-byte load at 0xff8 (data - 8)'],
  ])('interp - a load %s is out of bounds', (_title, address, size, message) => {
    const space = new AddressSpace([region('data', 0x1000n, 16)]);
    expect(() => space.load(address, size as 1 | 4 | 8)).toThrow(MemoryFault);
    expect(() => space.load(address, size as 1 | 4 | 8)).toThrow(message);
  });

  it('interp - a store into a read-only region is rejected', () => {
    const space = new AddressSpace([region('ctx', 0x2000n, 8, false)]);
    expect(space.load(0x2000n, 8)).toBe(0n);
    expect(() => space.store(0x2000n, 4, 1n)).toThrow('read-only: 4-byte store at 0x2000 (ctx + 0)');
    expect(() => space.atomicUpdate(0x2000n, 4, () => 1n)).toThrow('read-only: 4-byte atomic');
  });

  it('interp - the error names the nearest region', () => {
    const space = new AddressSpace([region('low', 0x1000n, 16), region('high', 0x9000n, 16)]);
    expect(space.describe(0x8ff0n)).toBe('high - 16');
    expect(space.describe(0x1020n)).toBe('low + 32');
    expect(new AddressSpace().describe(0n)).toBe('no region is mapped');
  });

  it('interp - overlapping regions are refused', () => {
    const space = new AddressSpace([region('a', 0x1000n, 16)]);
    expect(() => space.map(region('b', 0x100fn, 16))).toThrow('overlaps region "a"');
    expect(() => space.map(region('c', 0xffff_ffff_ffff_fff8n, 16))).toThrow('64-bit address space');
    space.map(region('d', 0x1010n, 16));
    expect(space.regions.map((r) => r.name)).toEqual(['a', 'd']);
  });

  it('interp - an unmapped region is no longer reachable', () => {
    const data = region('data', 0x1000n, 16);
    const space = new AddressSpace([data]);
    space.unmap(data);
    expect(() => space.load(0x1000n, 1)).toThrow(MemoryFault);
  });

  it('interp - atomicUpdate returns the old value and may leave memory alone', () => {
    const space = new AddressSpace([region('data', 0x1000n, 8)]);
    space.store(0x1000n, 8, 5n);
    expect(space.atomicUpdate(0x1000n, 8, (old) => old + 1n)).toBe(5n);
    expect(space.atomicUpdate(0x1000n, 8, () => undefined)).toBe(6n);
    expect(space.load(0x1000n, 8)).toBe(6n);
  });
});

describe('interp memory - the recent-region shortcut', () => {
  it('interp - accesses alternating between regions each find their own region, straddles still fault', () => {
    const space = new AddressSpace([region('a', 0x1000n, 16), region('b', 0x1010n, 16)]);
    space.store(0x1008n, 8, 0x1111n);
    space.store(0x1010n, 8, 0x2222n);
    expect(space.load(0x1008n, 8)).toBe(0x1111n);
    expect(space.load(0x1010n, 8)).toBe(0x2222n);
    expect(() => space.load(0x100cn, 8)).toThrow('out of bounds: 8-byte load at 0x100c');
    expect(space.locate(0x1018n, 8)?.region.name).toBe('b');
  });

  it('interp - a region unmapped after an access is not found again', () => {
    const b = region('b', 0x2000n, 8);
    const space = new AddressSpace([region('a', 0x1000n, 8), b]);
    expect(space.load(0x2000n, 4)).toBe(0n);
    space.unmap(b);
    expect(() => space.load(0x2000n, 4)).toThrow(MemoryFault);
  });

  it('interp - an empty access at a boundary names the first region in mapping order', () => {
    const space = new AddressSpace([region('a', 0x1000n, 16), region('b', 0x1010n, 16)]);
    space.load(0x1014n, 4);
    expect(space.locate(0x1010n, 0)?.region.name).toBe('a');
  });

  it.each([
    ['8-aligned', 8],
    ['unaligned', 3],
  ])('interp - a region over a %s part of a buffer reads and writes its own bytes, aligned or not', (_title, start) => {
    const buffer = new Uint8Array(40);
    const space = new AddressSpace([{ name: 'part', base: 0x100n, bytes: buffer.subarray(start, start + 16), writable: true }]);
    space.store(0x100n, 4, 0xdeadbeefn);
    expect(buffer[start]).toBe(0xef);
    expect(space.atomicUpdate(0x100n, 4, (old) => old + 1n)).toBe(0xdeadbeefn);
    expect(space.load(0x100n, 4)).toBe(0xdeadbef0n);
    space.store(0x108n, 8, -2n);
    expect(space.load(0x108n, 8)).toBe(0xffff_ffff_ffff_fffen);
    space.store(0x103n, 8, 0x0102_0304_0506_0708n);
    expect(space.load(0x103n, 8)).toBe(0x0102_0304_0506_0708n);
    expect(space.load(0x103n, 1)).toBe(8n);
    expect(() => space.load(0x10cn, 8)).toThrow(MemoryFault);
  });
});
