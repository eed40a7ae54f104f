import { describe, expect, it } from 'vitest';
import { type Json, jsonPaths, mutateJson, mutateJsonBody } from './json.js';
import { Prng } from './prng.js';

const request: Json = { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 16, keys: ['AAAA', 'AAAB'], inner: { a: 1 } };

describe('fuzz json - mutateJson and mutateJsonBody', () => {
  it('lists every place of a value, the root first', () => {
    expect(jsonPaths({ a: [1, { b: 2 }] })).toEqual([[], ['a'], ['a', 0], ['a', 1], ['a', 1, 'b']]);
    expect(jsonPaths({ a: [1, 2, 3] }, 2)).toHaveLength(2);
  });

  it('never changes its input, and is deterministic per seed', () => {
    const before = JSON.stringify(request);
    const a = mutateJson(new Prng(1), request);
    expect(JSON.stringify(request)).toBe(before);
    expect(mutateJson(new Prng(1), request)).toEqual(a);
  });

  it('reaches wrong types, missing fields, edge numbers and prototype keys', () => {
    const r = new Prng(2);
    const outs = Array.from({ length: 2000 }, () => mutateJson(r, request) as Record<string, Json>);
    expect(outs.some((o) => typeof o === 'object' && o !== null && typeof o.key_size === 'string')).toBe(true);
    expect(outs.some((o) => typeof o === 'object' && o !== null && !('map_type' in o))).toBe(true);
    expect(outs.some((o) => typeof o === 'object' && o !== null && (o.max_entries as number) < 0)).toBe(true);
    expect(outs.some((o) => typeof o === 'object' && o !== null && Object.hasOwn(o, '__proto__'))).toBe(true);
    expect(outs.every((o) => o === null || typeof o !== 'object' || Object.getPrototypeOf(o) === Object.prototype || Array.isArray(o))).toBe(true);
  });

  it('bodies stay under maxBytes and include some that are not JSON', () => {
    const r = new Prng(3);
    const bodies = Array.from({ length: 1000 }, () => new TextDecoder().decode(mutateJsonBody(r, request, { maxBytes: 100_000 })));
    expect(bodies.some((b) => b.length > 100_000)).toBe(true); // the odd deep bodies
    const notJson = bodies.filter((b) => {
      try {
        JSON.parse(b);
        return false;
      } catch {
        return true;
      }
    });
    expect(notJson.length).toBeGreaterThan(0);
  });
});
