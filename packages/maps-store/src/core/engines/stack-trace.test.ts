import { MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { createMap } from '../create.js';
import { loadRecords, mapRecords } from '../records.js';
import type { MapSpec } from '../spec.js';
import { StackIdFlag, type StackTraceMap } from './stack-trace.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const code = (c: string) => expect.objectContaining({ code: c });
const spec = (value_size: number, max_entries: number, map_flags = 0): MapSpec => ({ map_type: MapType.STACK_TRACE, key_size: 4, value_size, max_entries, map_flags });
const make = (s: MapSpec): StackTraceMap => createMap(s, new Arena({ initialPages: 4 })) as StackTraceMap;
const ips = (...a: number[]): BigUint64Array => BigUint64Array.from(a.map(BigInt));
const frames = (value: Uint8Array): bigint[] => [...new BigUint64Array(value.buffer, value.byteOffset, value.length / 8)];

/** Stacks that land in the same bucket of a one-bucket map. */
const first = ips(0x1000, 0x2000, 0x3000);
const second = ips(0x4000, 0x5000);

describe('map stack_trace - create checks', () => {
  it.each([
    ['a value that is not a multiple of 8', spec(12, 4), 'EINVAL', /multiple of 8/],
    ['a value under 8 bytes', spec(4, 4), 'EINVAL', /multiple of 8/],
    ['more than 127 frames', spec(128 * 8, 4), 'EINVAL', /127 frames/],
    ['build ids with a value that is not a multiple of 32', spec(48, 4, MapFlag.STACK_BUILD_ID), 'EINVAL', /multiple of 32/],
    ['an 8-byte key', { ...spec(64, 4), key_size: 8 }, 'EINVAL', /key_size must be 4/],
    ['more than 2^31 entries', spec(64, 2 ** 31 + 1), 'E2BIG', /above 2\^31/],
    ['BPF_F_RDONLY_PROG', spec(64, 4, MapFlag.RDONLY_PROG), 'EINVAL', /map_flags 0x80 /],
  ])('map create - stack_trace with %s fails with %s', (_title, s, errno, message) => {
    expect(() => make(s)).toThrow(message);
    expect(() => make(s)).toThrow(code(errno));
  });

  it('map stack_trace - buckets are max_entries rounded up to a power of two', () => {
    expect(make(spec(64, 5)).buckets).toBe(8);
    expect(make(spec(64, 1)).buckets).toBe(1);
  });
});

describe('map stack_trace', () => {
  it('map stack_trace - get_stackid files a stack; the same stack gets the same id; user space reads it zero-padded', () => {
    const m = make(spec(64, 16));
    const id = m.getStackId(first, 0);
    expect(id).toBeGreaterThanOrEqual(0);
    expect(m.getStackId(first, 0)).toBe(id);
    const value = m.lookup(u32(id));
    expect(value.length).toBe(64);
    expect(frames(value)).toEqual([0x1000n, 0x2000n, 0x3000n, 0n, 0n, 0n, 0n, 0n]);
  });

  it('map stack_trace - a different stack in a taken bucket fails with -EEXIST; BPF_F_REUSE_STACKID replaces it', () => {
    const m = make(spec(64, 2));
    const id = m.getStackId(first, 0);
    // A stack hashing to the same bucket: one that the taken bucket refuses.
    let other = ips(1);
    for (let k = 1; ; k++) {
      other = ips(k * 0x10);
      const got = m.getStackId(other, 0);
      if (got === -17) break;
      m.delete(u32(got));
    }
    expect(m.getStackId(other, StackIdFlag.REUSE_STACKID)).toBe(id);
    expect(frames(m.lookup(u32(id)))[0]).toBe(other[0]);
  });

  it('map stack_trace - BPF_F_FAST_STACK_CMP compares hashes only', () => {
    const m = make(spec(64, 1));
    m.getStackId(first, 0);
    expect(m.getStackId(first, StackIdFlag.FAST_STACK_CMP)).toBe(0);
  });

  it('map stack_trace - skipped frames are not kept; skipping them all fails with -EFAULT; unknown flags with -EINVAL', () => {
    const m = make(spec(64, 16));
    const id = m.getStackId(first, 1);
    expect(frames(m.lookup(u32(id))).slice(0, 3)).toEqual([0x2000n, 0x3000n, 0n]);
    expect(m.getStackId(first, 3)).toBe(-14);
    expect(m.getStackId(first, 1 << 11)).toBe(-22);
  });

  it('map stack_trace - a stack deeper than the value keeps its innermost frames', () => {
    const m = make(spec(16, 16));
    const id = m.getStackId(ips(1, 2, 3, 4), 0);
    expect(frames(m.lookup(u32(id)))).toEqual([1n, 2n]);
  });

  it('map stack_trace - when every trace is in use a replacement fails with -ENOMEM; a delete frees one at once', () => {
    const m = make(spec(64, 1));
    expect(m.getStackId(first, 0)).toBe(0);
    expect(m.getStackId(second, 0)).toBe(-17);
    expect(m.getStackId(second, StackIdFlag.REUSE_STACKID)).toBe(-12);
    m.delete(u32(0));
    expect(m.getStackId(second, 0)).toBe(0);
  });

  it.each([
    ['update fails with EINVAL', (m: StackTraceMap) => m.update(u32(0), new Uint8Array(64), UpdateFlag.ANY), 'EINVAL'],
    ['delete past the buckets fails with EINVAL', (m: StackTraceMap) => m.delete(u32(16)), 'EINVAL'],
    ['delete of an empty bucket fails with ENOENT', (m: StackTraceMap) => m.delete(u32(0)), 'ENOENT'],
    ['lookup of an empty bucket fails with ENOENT', (m: StackTraceMap) => m.lookup(u32(3)), 'ENOENT'],
    ['lookup past the buckets fails with ENOENT', (m: StackTraceMap) => m.lookup(u32(99)), 'ENOENT'],
    ['lookup_and_delete with flags fails with EINVAL', (m: StackTraceMap) => m.lookupAndDelete(u32(0), 4), 'EINVAL'],
  ])('map stack_trace - %s', (_title, run, errno) => {
    expect(() => run(make(spec(64, 16)))).toThrow(code(errno));
  });

  it('map stack_trace - get_next_key visits the filled buckets; an unknown id restarts; lookup_and_delete removes', () => {
    const m = make(spec(64, 64));
    const ids = new Set([1, 2, 3, 4, 5].map((n) => m.getStackId(ips(n * 0x100), 0)));
    const seen: number[] = [];
    let key: Uint8Array | undefined;
    for (;;) {
      try {
        key = m.getNextKey(key);
      } catch (e) {
        expect(e).toMatchObject({ code: 'ENOENT' });
        break;
      }
      seen.push(readU32(key));
    }
    expect(new Set(seen)).toEqual(ids);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const id = seen[0]!;
    m.lookupAndDelete(u32(id), 0);
    expect(() => m.lookup(u32(id))).toThrow(code('ENOENT'));
  });

  it('map stack_trace - records load back under the same ids, and the stack keeps its id', () => {
    const m = make(spec(64, 16));
    const id = m.getStackId(first, 0);
    const copy = make(spec(64, 16));
    expect(loadRecords(copy, mapRecords(m))).toEqual([]);
    expect(copy.lookup(u32(id))).toEqual(m.lookup(u32(id)));
    expect(copy.getStackId(first, 0)).toBe(id);
  });
});
