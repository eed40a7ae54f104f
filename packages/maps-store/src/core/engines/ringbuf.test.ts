import { MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { type MapSpec, checkCommonSpec } from '../spec.js';
import {
  BPF_RINGBUF_BUSY_BIT,
  BPF_RINGBUF_DISCARD_BIT,
  RINGBUF_MAX_DATA_SZ,
  RINGBUF_MAX_RECORD_SZ,
  RingBufMap,
  RingbufFlag,
  RingbufQuery,
  ringbufMapType,
} from './ringbuf.js';

const spec = (max_entries: number, map_flags = 0, key_size = 0, value_size = 0): MapSpec => ({
  map_type: MapType.RINGBUF,
  key_size,
  value_size,
  max_entries,
  map_flags,
});
const create = (s: MapSpec, arena = new Arena({ initialPages: 4 })): RingBufMap => {
  checkCommonSpec(s, ringbufMapType.allowedFlags);
  ringbufMapType.check(s);
  return ringbufMapType.create(s, arena, 1) as RingBufMap;
};
const ring = (size = 4096, arena?: Arena) => create(spec(size), arena);
const NONE = new Uint8Array(0);
const code = (c: string) => expect.objectContaining({ code: c });
const pattern = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** What a program does: reserve `bytes.length`, fill the sample, submit. The sample address. */
const write = (m: RingBufMap, bytes: Uint8Array, flags = 0): number => {
  const sample = m.reserve(bytes.length, 0);
  expect(sample).not.toBe(0);
  m.arena.bytes.set(bytes, sample);
  m.submit(sample, flags);
  return sample;
};
/** ring_buffer__consume with a callback that keeps copies. */
const drain = (m: RingBufMap): { count: number; samples: Uint8Array[] } => {
  const samples: Uint8Array[] = [];
  const count = m.consume((sample, size) => {
    expect(sample.length).toBe(size);
    samples.push(sample.slice());
  });
  return { count, samples };
};
/** Moves all three positions to `position` on an empty ring (as if that much had been produced and consumed). */
const setPositions = (m: RingBufMap, position: number) => {
  const u64 = new BigUint64Array(m.arena.memory.buffer);
  for (const address of [m.base, m.consumerPosAddress, m.producerPosAddress]) u64[address / 8] = BigInt(position);
};
const header = (m: RingBufMap, sample: number) => ({ len: m.arena.loadU32(sample - 8), pgOff: m.arena.loadU32(sample - 4) });

describe('map ringbuf - create checks', () => {
  it.each([
    ['a 4-byte key', spec(4096, 0, 4), /key_size must be 0/],
    ['a value size', spec(4096, 0, 0, 8), /value_size must be 0/],
    ['no data (max_entries 0)', spec(0), /power of two and a multiple of 4096/],
    ['a size that is not a power of two (4095)', spec(4095), /power of two/],
    ['a size that is a power of two but not a page multiple (2048)', spec(2048), /multiple of 4096/],
    ['a page multiple that is not a power of two (12288)', spec(12288), /power of two/],
    ['3 << 30, not a power of two', spec(3 * 2 ** 30), /power of two/],
    ['BPF_F_RDONLY (a ring buffer takes no access flags)', spec(4096, MapFlag.RDONLY), /map_flags 0x8 has bits/],
    ['BPF_F_WRONLY_PROG', spec(4096, MapFlag.WRONLY_PROG), /map_flags 0x100 has bits/],
    ['BPF_F_MMAPABLE', spec(4096, MapFlag.MMAPABLE), /map_flags 0x400 has bits/],
    ['BPF_F_ZERO_SEED', spec(4096, MapFlag.ZERO_SEED), /map_flags 0x40 has bits/],
  ])('map ringbuf - create with %s fails with EINVAL', (_title, s, message) => {
    expect(() => create(s)).toThrow(message);
    expect(() => create(s)).toThrow(code('EINVAL'));
  });

  it.each([
    ['4096 bytes', spec(4096)],
    ['65536 bytes', spec(65536)],
    ['BPF_F_NUMA_NODE', spec(8192, MapFlag.NUMA_NODE)],
  ])('map ringbuf - create with %s is accepted', (_title, s) => {
    expect(create(s).size).toBe(s.max_entries);
  });

  it('map ringbuf - the largest power of two a u32 holds (2 GiB) passes the checks; the E2BIG limit (64 GiB) is out of a u32 reach', () => {
    expect(() => ringbufMapType.check(spec(2 ** 31))).not.toThrow();
    expect(RINGBUF_MAX_DATA_SZ).toBeGreaterThan(0xffffffff);
  });
});

describe('map ringbuf - layout and records', () => {
  it('map ringbuf - the private page, consumer page, producer page and data follow each other page by page', () => {
    const arena = new Arena({ initialPages: 4 });
    arena.alloc(24);
    const m = ring(8192, arena);
    expect(m.base % 4096).toBe(0);
    expect(m.consumerPosAddress).toBe(m.base + 4096);
    expect(m.producerPosAddress).toBe(m.base + 8192);
    expect(m.dataAddress).toBe(m.base + 12288);
    expect([m.consumerPos, m.producerPos, m.pendingPos]).toEqual([0, 0, 0]);
  });

  it('map ringbuf - a reservation writes an 8-byte header (len | BUSY, pg_off) and returns the sample 8-byte aligned after it', () => {
    const m = ring(8192);
    const a = m.reserve(10, 0);
    expect(a).toBe(m.dataAddress + 8);
    expect(header(m, a)).toEqual({ len: (10 | BPF_RINGBUF_BUSY_BIT) >>> 0, pgOff: 3 });
    expect(m.producerPos).toBe(24);
    const b = m.reserve(0, 0);
    expect(b).toBe(m.dataAddress + 32);
    expect(m.producerPos).toBe(32);
    m.submit(a, 0);
    m.discard(b, 0);
    expect(header(m, a).len).toBe(10);
    expect(header(m, b).len).toBe(BPF_RINGBUF_DISCARD_BIT);
  });

  it('map ringbuf - pg_off counts whole pages from the ring to the header', () => {
    const m = ring(8192);
    for (let i = 0; i < 64; i++) write(m, pattern(56));
    const sample = m.reserve(8, 0);
    expect(sample - 8).toBe(m.dataAddress + 4096);
    expect(header(m, sample).pgOff).toBe(4);
  });

  it('map ringbuf - consume hands records over in order and advances the consumer position', () => {
    const m = ring();
    const sent = [pattern(1), pattern(13, 2), pattern(0), pattern(64, 3)];
    for (const s of sent) write(m, s);
    const { count, samples } = drain(m);
    expect(count).toBe(4);
    expect(samples).toEqual(sent);
    expect(m.consumerPos).toBe(m.producerPos);
    expect(drain(m).count).toBe(0);
  });

  it('map ringbuf - consume stops at a record still being written; the records after it wait', () => {
    const m = ring();
    const a = m.reserve(4, 0);
    m.arena.bytes.set([1, 2, 3, 4], a);
    write(m, pattern(8));
    expect(drain(m).count).toBe(0);
    expect(m.consumerPos).toBe(0);
    m.submit(a, 0);
    const { count, samples } = drain(m);
    expect(count).toBe(2);
    expect(samples).toEqual([Uint8Array.from([1, 2, 3, 4]), pattern(8)]);
  });

  it('map ringbuf - consume skips discarded records but moves past them', () => {
    const m = ring();
    const a = m.reserve(16, 0);
    write(m, pattern(5));
    m.discard(a, 0);
    const { count, samples } = drain(m);
    expect(count).toBe(1);
    expect(samples).toEqual([pattern(5)]);
    expect(m.consumerPos).toBe(40);
  });

  it('map ringbuf - a callback returning a negative number stops consume with it; that record counts as consumed', () => {
    const m = ring();
    for (let i = 0; i < 3; i++) write(m, pattern(8, i));
    const seen: number[] = [];
    expect(m.consume((sample) => (seen.push(sample[0]!), seen.length === 2 ? -5 : 0))).toBe(-5);
    expect(m.consumerPos).toBe(32);
    expect(drain(m).samples).toEqual([pattern(8, 2)]);
  });

  it('map ringbuf - consume picks up records committed while it runs (it loops until no new data)', () => {
    const m = ring();
    write(m, pattern(8));
    const buf = m.arena.alloc(8);
    let produced = false;
    const count = m.consume(() => {
      if (!produced) expect(m.output(buf, 8, 0)).toBe(0);
      produced = true;
    });
    expect(count).toBe(2);
  });
});

describe('map ringbuf - space', () => {
  it.each([
    ['the largest record (size - 16 bytes of sample) fits an empty ring', 4096 - 16, 0, true],
    ['one byte more does not (the record would take the whole ring)', 4096 - 15, 0, false],
    ['the ring size does not', 4096, 0, false],
    ['a zero-size record fits', 0, 0, true],
    ['RINGBUF_MAX_RECORD_SZ + 1 does not', RINGBUF_MAX_RECORD_SZ + 1, 0, false],
    ['a negative size does not', -1, 0, false],
    ['any reserve flag fails', 8, 1, false],
  ])('map ringbuf - reserve: %s', (_title, size, flags, fits) => {
    const m = ring(4096);
    expect(m.reserve(size, flags) !== 0).toBe(fits);
    expect(m.producerPos !== 0).toBe(fits);
  });

  it('map ringbuf - a full ring refuses reservations until the consumer frees room', () => {
    const m = ring(4096);
    const samples: number[] = [];
    for (let s = m.reserve(56, 0); s !== 0; s = m.reserve(56, 0)) samples.push(s);
    // 64-byte records: the producer may be at most 4095 bytes ahead of the consumer.
    expect(samples.length).toBe(63);
    expect(m.output(m.dataAddress, 56, 0)).toBe(-11);
    // 63 bytes are left: a 56-byte record fits, then not even an empty one (8 bytes).
    samples.push(m.reserve(48, 0));
    expect(samples[63]).not.toBe(0);
    expect(m.reserve(0, 0)).toBe(0);
    for (const s of samples) m.submit(s, 0);
    expect(m.consume(() => -1)).toBe(-1);
    expect(m.reserve(56, 0)).not.toBe(0);
    expect(m.reserve(0, 0)).toBe(0);
  });

  it('map ringbuf - a reservation never overruns a record still being written, even if user space moves the consumer past it', () => {
    const m = ring(4096);
    const busy = m.reserve(8, 0);
    // User space (which owns consumer_pos) skips the busy record.
    new BigUint64Array(m.arena.memory.buffer)[m.consumerPosAddress / 8] = 16n;
    // [16, 4104) would wrap onto the busy record's header: refused (pending_pos).
    expect(m.reserve(4080, 0)).toBe(0);
    expect(m.pendingPos).toBe(0);
    m.submit(busy, 0);
    expect(m.reserve(4080, 0)).not.toBe(0);
    expect(m.pendingPos).toBe(16);
  });

  it.each([
    ['0', 0, 0],
    ['BPF_RB_NO_WAKEUP', RingbufFlag.NO_WAKEUP, 0],
    ['BPF_RB_FORCE_WAKEUP', RingbufFlag.FORCE_WAKEUP, 0],
    ['both wakeup flags', 3, 0],
    ['an unknown flag', 4, -22],
    ['a flag in the upper 32 bits', 2 ** 32, -22],
  ])('map ringbuf - output with flags %s returns %i', (_title, flags, expected) => {
    const m = ring();
    const src = m.arena.alloc(16);
    m.arena.bytes.set(pattern(16), src);
    expect(m.output(src, 16, flags)).toBe(expected);
    expect(drain(m).samples).toEqual(expected === 0 ? [pattern(16)] : []);
  });
});

describe('map ringbuf - records across the end of the ring', () => {
  it.each([
    ['the sample wraps after some bytes', 4096 - 24, 100],
    ['the header is the last 8 bytes: the whole sample is past the end', 4096 - 8, 40],
    ['the sample ends exactly at the end (no wrap)', 4096 - 48, 40],
  ])('map ringbuf - %s: the program writes one contiguous run, the consumer reads it whole', (_title, start, size) => {
    const m = ring(4096);
    setPositions(m, start);
    const sample = m.reserve(size, 0);
    expect(sample).toBe(m.dataAddress + start + 8);
    const bytes = pattern(size, 7);
    m.arena.bytes.set(bytes, sample);
    m.submit(sample, 0);
    const { samples } = drain(m);
    expect(samples).toEqual([bytes]);
    // The ring itself holds the part past the end at its start (what a wrap-aware reader sees)…
    const past = start + 8 + size - 4096;
    if (past > 0) expect(m.arena.bytes.slice(m.dataAddress, m.dataAddress + past)).toEqual(bytes.slice(size - past));
    // …and the contiguous run (the kernel's double mapping) still reads the same.
    expect(m.arena.bytes.slice(sample, sample + size)).toEqual(bytes);
  });

  it('map ringbuf - a wrapping reservation shows the program what the ring holds there, as the double mapping does', () => {
    const m = ring(4096);
    write(m, pattern(40, 9));
    drain(m);
    setPositions(m, 4096 - 16);
    const sample = m.reserve(56, 0);
    // The sample's bytes past the end are the ring's first bytes: the old record's header and data.
    expect(m.arena.bytes.slice(m.dataAddress + 4096, m.dataAddress + 4096 + 48)).toEqual(m.arena.bytes.slice(m.dataAddress, m.dataAddress + 48));
    expect(m.arena.bytes.slice(sample + 8 + 8, sample + 8 + 48)).toEqual(pattern(40, 9));
  });

  it('map ringbuf - many records around the ring many times come out intact and in order', () => {
    const m = ring(4096);
    const expected: Uint8Array[] = [];
    const got: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) {
      const size = (i * 37) % 301;
      const bytes = pattern(size, i);
      const sample = m.reserve(size, 0);
      if (sample === 0) {
        got.push(...drain(m).samples);
        i--;
        continue;
      }
      m.arena.bytes.set(bytes, sample);
      if (i % 11 === 5) m.discard(sample, 0);
      else {
        m.submit(sample, 0);
        expected.push(bytes);
      }
    }
    got.push(...drain(m).samples);
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    expect(got.map(hex)).toEqual(expected.map(hex));
    expect(m.producerPos).toBeGreaterThan(30 * 4096);
  });

  it('map ringbuf - positions are u64: they go past 2^32 and keep their offsets', () => {
    const m = ring(4096);
    setPositions(m, 2 ** 32 - 16);
    write(m, pattern(20, 1));
    write(m, pattern(8, 2));
    expect(m.producerPos).toBe(2 ** 32 - 16 + 32 + 16);
    expect(m.query(RingbufQuery.PROD_POS)).toBe(2 ** 32 + 32);
    expect(drain(m).samples).toEqual([pattern(20, 1), pattern(8, 2)]);
    expect(m.consumerPos).toBe(2 ** 32 + 32);
  });
});

describe('map ringbuf - query, wakeups, commit errors', () => {
  it('map ringbuf - query answers available data, ring size and positions; 0 for anything else', () => {
    const m = ring(8192);
    write(m, pattern(10));
    write(m, pattern(30));
    m.consume(() => -1);
    expect(m.query(RingbufQuery.AVAIL_DATA)).toBe(40);
    expect(m.query(RingbufQuery.RING_SIZE)).toBe(8192);
    expect(m.query(RingbufQuery.CONS_POS)).toBe(24);
    expect(m.query(RingbufQuery.PROD_POS)).toBe(64);
    expect(m.query(4)).toBe(0);
    expect(m.query(99)).toBe(0);
    expect(m.availableData()).toBe(40);
  });

  it.each([
    ['submit of the record the consumer waits on wakes it', 0, 0, 1],
    ['BPF_RB_NO_WAKEUP does not', 0, RingbufFlag.NO_WAKEUP, 0],
    ['BPF_RB_FORCE_WAKEUP always does', 1, RingbufFlag.FORCE_WAKEUP, 1],
    ['submit of a later record (the consumer waits on an earlier one) does not', 1, 0, 0],
    ['BPF_RB_FORCE_WAKEUP with NO_WAKEUP wakes', 1, 3, 1],
  ])('map ringbuf - %s', (_title, index, flags, wakeups) => {
    const m = ring();
    const samples = [m.reserve(8, 0), m.reserve(8, 0)];
    let heard = 0;
    m.onWakeup(() => heard++);
    m.submit(samples[index]!, flags);
    expect(m.wakeups).toBe(wakeups);
    expect(heard).toBe(wakeups);
  });

  it('map ringbuf - discard wakes like submit; an unsubscribed listener hears nothing', () => {
    const m = ring();
    let heard = 0;
    const off = m.onWakeup(() => heard++);
    m.discard(m.reserve(8, 0), 0);
    off();
    m.discard(m.reserve(8, 0), RingbufFlag.FORCE_WAKEUP);
    expect([m.wakeups, heard]).toEqual([2, 1]);
  });

  it.each([
    ['submit of a record twice', (m: RingBufMap, s: number) => (m.submit(s, 0), m.submit(s, 0))],
    ['discard after submit', (m: RingBufMap, s: number) => (m.submit(s, 0), m.discard(s, 0))],
    ['submit of an address inside a sample', (m: RingBufMap, s: number) => m.submit(s + 8, 0)],
    ['submit of an address outside the ring', (m: RingBufMap) => m.submit(m.arena.alloc(16) + 8, 0)],
    ['submit of the private page', (m: RingBufMap) => m.submit(m.base + 8, 0)],
  ])('map ringbuf - %s fails with EINVAL (the verifier would have rejected the program)', (_title, run) => {
    const m = ring();
    const s = m.reserve(16, 0);
    expect(() => run(m, s)).toThrow(code('EINVAL'));
  });

  it('map ringbuf - a record reserved in one ring cannot be committed through another', () => {
    const arena = new Arena({ initialPages: 4 });
    const a = ring(4096, arena);
    const b = ring(4096, arena);
    const s = a.reserve(8, 0);
    expect(() => b.submit(s, 0)).toThrow(code('EINVAL'));
    expect(RingBufMap.fromSample(arena, s)).toBe(a);
    expect(RingBufMap.fromSample(arena, b.reserve(8, 0))).toBe(b);
    expect(RingBufMap.fromSample(arena, arena.alloc(64) + 8)).toBeUndefined();
    expect(RingBufMap.fromSample(new Arena({ initialPages: 1 }), s)).toBeUndefined();
  });
});

describe('map ringbuf - syscall commands and generic helpers', () => {
  it.each([
    ['lookup fails with ENOTSUPP', (m: RingBufMap) => m.lookup(NONE), 'ENOTSUPP'],
    ['update fails with ENOTSUPP', (m: RingBufMap) => m.update(NONE, NONE, UpdateFlag.ANY), 'ENOTSUPP'],
    ['update with BPF_EXIST fails with ENOTSUPP', (m: RingBufMap) => m.update(NONE, NONE, UpdateFlag.EXIST), 'ENOTSUPP'],
    ['update with BPF_F_LOCK fails with EINVAL (checked before the map)', (m: RingBufMap) => m.update(NONE, NONE, UpdateFlag.F_LOCK), 'EINVAL'],
    ['delete fails with ENOTSUPP', (m: RingBufMap) => m.delete(NONE), 'ENOTSUPP'],
    ['get_next_key fails with ENOTSUPP', (m: RingBufMap) => m.getNextKey(undefined), 'ENOTSUPP'],
    ['lookup_and_delete fails with ENOTSUPP', (m: RingBufMap) => m.lookupAndDelete(NONE), 'ENOTSUPP'],
    ['a key (the map has none) fails with EINVAL', (m: RingBufMap) => m.lookup(new Uint8Array(4)), 'EINVAL'],
    ['a value (the map has none) fails with EINVAL', (m: RingBufMap) => m.update(NONE, new Uint8Array(4), UpdateFlag.ANY), 'EINVAL'],
  ])('map ringbuf - %s', (_title, run, errno) => {
    expect(() => run(ring())).toThrow(code(errno));
  });

  it('map ringbuf - bpf_map_lookup_elem gives NULL, update and delete -ENOTSUPP', () => {
    const m = ring();
    expect(m.syscallValueSize).toBe(0);
    expect(m.lookupAddress(m.dataAddress, 0)).toBe(0);
    expect(m.updateAt(m.dataAddress, m.dataAddress, 0, 0)).toBe(-524);
    expect(m.deleteAt(m.dataAddress)).toBe(-524);
  });
});
