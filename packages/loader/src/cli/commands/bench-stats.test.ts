import { describe, expect, it } from 'vitest';
import { parseStats } from './bench-sampler.js';
import { LoadRecorder, percentile } from './bench-stats.js';
import { ArgCursor } from './map-args.js';
import { parseLoadArgs } from './bench.js';

describe('bench load - statistics', () => {
  it('percentile is nearest-rank: p50 of 1..10 is 5, p90 9, p99 and p100 10; none is 0', () => {
    const sorted = Array.from({ length: 10 }, (_, i) => i + 1);
    expect([50, 90, 99, 100].map((p) => percentile(sorted, p))).toEqual([5, 9, 10, 10]);
    expect(percentile([], 50)).toBe(0);
    expect(percentile([7], 1)).toBe(7);
  });

  it('the recorder summarises each operation in the order first seen, with errors by errno', () => {
    const r = new LoadRecorder();
    for (const ms of [4, 1, 3, 2]) r.ok('map_create', ms);
    r.failed('prog_load', 'EACCES');
    r.failed('prog_load', 'EACCES');
    r.failed('map_create', 'ENOMEM');
    expect(r.summary(2)).toEqual([
      { op: 'map_create', ok: 4, per_sec: 2, p50_ms: 2, p90_ms: 4, p99_ms: 4, max_ms: 4, errors: { ENOMEM: 1 } },
      { op: 'prog_load', ok: 0, per_sec: 0, p50_ms: 0, p90_ms: 0, p99_ms: 0, max_ms: 0, errors: { EACCES: 2 } },
    ]);
    expect(r.errorTotals()).toEqual({ ENOMEM: 1, EACCES: 2 });
  });
});

describe('bench load - arguments and service stats', () => {
  it('keywords by prefix; a bad value or word is a usage error', () => {
    const parse = (line: string) => parseLoadArgs(new ArgCursor(line === '' ? [] : line.split(' '), 'load'));
    expect(parse('')).toMatchObject({ clients: 8, durationS: 10, sampleMs: 1000 });
    const o = parse('cl 3 dur 2.5 mix map,link sam 200');
    expect({ clients: o.clients, durationS: o.durationS, kinds: [...o.kinds], sampleMs: o.sampleMs }).toEqual({ clients: 3, durationS: 2.5, kinds: ['map', 'link'], sampleMs: 200 });
    expect(() => parse('clients 0')).toThrow(/clients must be a number from 1/);
    expect(() => parse('mix maps')).toThrow(/mix takes map, prog, link, not 'maps'/);
    expect(() => parse('speed 3')).toThrow(/what is 'speed'\?/);
  });

  it("parseStats takes rss_bytes from a micro service STATS reply's endpoint data", () => {
    const body = JSON.stringify({ type: 'io.nats.micro.v1.stats_response', name: 'jit', id: 'ABC', endpoints: [{ name: 'jit', data: { rss_bytes: 100, heap_used_bytes: 40 } }] });
    expect(parseStats(body, 'jit', 1.5)).toEqual({ t: 1.5, service: 'jit', id: 'ABC', rss_bytes: 100, heap_used_bytes: 40 });
    expect(parseStats(JSON.stringify({ name: 'jit', id: 'ABC', endpoints: [{ data: null }] }), 'jit', 0)).toBeUndefined();
    expect(parseStats('not json', 'jit', 0)).toBeUndefined();
    expect(parseStats(body, 'verifier', 0)).toBeUndefined();
  });
});
