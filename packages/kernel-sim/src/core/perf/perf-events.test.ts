import { describe, expect, it } from 'vitest';
import { PerfEvents, type PerfRecord } from './perf-events.js';

const sample = (...bytes: number[]): Uint8Array => new Uint8Array(bytes);

function table(cpus = 2) {
  const out: [number, PerfRecord[]][] = [];
  const scheduled: (() => void)[] = [];
  const events = new PerfEvents(cpus, (mapId, records) => out.push([mapId, [...records]]), (f) => scheduled.push(f));
  return { events, out, scheduled };
}

describe('perf events', () => {
  it.each([
    ['a CPU the kernel does not have', { cpu: 2 }, 'EINVAL'],
    ['a page count that is not a power of two', { cpu: 0, page_cnt: 3 }, 'EINVAL'],
    ['a hardware event', { cpu: 0, type: 0, config: 0 }, 'EOPNOTSUPP'],
    ['a software event other than BPF output or the CPU clock', { cpu: 0, type: 1, config: 1 }, 'EOPNOTSUPP'],
    ['a CPU clock that does not sample', { cpu: 0, type: 1, config: 0 }, 'EINVAL'],
    ['a CPU clock faster than perf_event_max_sample_rate', { cpu: 0, type: 1, config: 0, freq: true, sample_freq: 100001 }, 'EINVAL'],
  ])('perf events - open of %s fails with %s', (_title, attr, code) => {
    expect(() => table().events.open(attr)).toThrow(expect.objectContaining({ code }));
  });

  it('perf events - a CPU clock samples every sample_period ns (at least 10 µs), or 1e9 / sample_freq with freq', () => {
    const { events } = table();
    expect(events.sampling(events.open({ cpu: 1, type: 1, config: 0, sample_period: 250000 }))).toMatchObject({ cpu: 1, type: 1, config: 0, periodNs: 250000 });
    expect(events.sampling(events.open({ cpu: 0, type: 1, config: 0, sample_period: 5 }))?.periodNs).toBe(10000);
    expect(events.sampling(events.open({ cpu: 0, type: 1, config: 0, freq: true, sample_freq: 99 }))?.periodNs).toBe(10101010);
    expect(events.sampling(events.open({ cpu: 0 }))).toBeUndefined();
  });

  it('perf events - a map slot keeps a closed event until it lets go; a second close is EBADF', () => {
    const { events } = table();
    const id = events.open({ cpu: 1, page_cnt: 2 });
    expect(events.info(id)).toEqual({ cpu: 1, page_cnt: 2 });
    const port = events.portFor(7);
    expect(port.acquire(id)).toEqual({ bpf_output: true, readable: true, cpu: 1 });
    events.close(id);
    expect(() => events.close(id)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(events.size).toBe(1);
    port.release(id);
    expect(events.size).toBe(0);
    expect(() => events.close(id)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(port.acquire(id)).toBeUndefined();
  });

  it('perf events - records wait for one scheduled flush, grouped by map in the order they were written', () => {
    const { events, out, scheduled } = table();
    const a = events.open({ cpu: 0 });
    const b = events.open({ cpu: 1 });
    const map1 = events.portFor(1);
    const map2 = events.portFor(2);
    map1.acquire(a);
    map1.acquire(b);
    map2.acquire(a);
    expect(map1.output(b, 1, sample(1))).toBe(0);
    expect(map2.output(a, 0, sample(2))).toBe(0);
    expect(map1.output(a, 0, sample(3))).toBe(0);
    expect(scheduled).toHaveLength(1);
    expect(out).toEqual([]);
    scheduled[0]!();
    expect(out).toEqual([
      [1, [{ cpu: 1, data: sample(1) }, { cpu: 0, data: sample(3) }]],
      [2, [{ cpu: 0, data: sample(2) }]],
    ]);
    map1.output(a, 0, sample(4));
    expect(scheduled).toHaveLength(2);
  });

  it('perf events - output to an event that is gone is ENOENT', () => {
    const { events } = table();
    expect(events.portFor(1).output(99, 0, sample(1))).toBe(-2);
  });
});
