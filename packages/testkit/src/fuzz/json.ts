/**
 * A JSON mutator: walks a valid request and perturbs one place at a time — a value of the wrong
 * type, an edge number (negative, fractional, beyond 2^32, 2^53, 2^64), a string that looks like
 * a number, a long string, deep nesting, a missing or an extra field, invalid base64 — and a body
 * mutator that also mangles the JSON text itself. Inputs are never changed.
 */
import { mutateBytes } from './bytes.js';
import { INTERESTING_NUMBERS, INTERESTING_STRINGS, INVALID_BASE64 } from './interesting.js';
import type { Prng } from './prng.js';

/** A JSON value, as JSON.parse returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface JsonMutationOptions {
  /** At most this many stacked edits, skewed towards one; default 3. */
  readonly maxEdits?: number;
  /** Longest string or array a mutation builds (default 65,536 characters; arrays a tenth of it). */
  readonly maxLength?: number;
  /** Deepest nesting a mutation builds (default 600, below what JSON.stringify can recurse). */
  readonly maxDepth?: number;
  /** An edit that makes the JSON text longer than this is dropped (default 512 KiB, below NATS's 1 MiB payload limit). */
  readonly maxBytes?: number;
}

type Path = readonly (string | number)[];

/** Places in `value` (the root first, then breadth first) as key paths, at most `limit` of them and none deeper than `maxDepth`. */
export function jsonPaths(value: Json, limit = 10_000, maxDepth = 40): Path[] {
  const out: Path[] = [];
  const queue: { path: Path; value: Json }[] = [{ path: [], value }];
  for (let next = 0; next < queue.length && out.length < limit; next++) {
    const { path, value: v } = queue[next]!;
    out.push(path);
    if (path.length >= maxDepth || v === null || typeof v !== 'object') continue;
    const entries: [string | number, Json][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [k, x] of entries.slice(0, limit - queue.length)) queue.push({ path: [...path, k], value: x });
  }
  return out;
}

/** Sets an own property, even one named `__proto__` (plain assignment would change the prototype). */
function setOwn(target: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone(value: Json): Json {
  if (Array.isArray(value)) return value.map(clone);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) setOwn(out, k, clone(v));
  return out;
}

const OTHER_TYPES: readonly Json[] = [null, true, false, 0, 1, '', 'x', [], {}, [1], { a: 1 }];

function anyValue(rand: Prng): Json {
  return rand.chance(0.5) ? rand.pick(OTHER_TYPES) : rand.chance(0.5) ? rand.pick(INTERESTING_NUMBERS) : rand.pick(INTERESTING_STRINGS);
}

function nest(rand: Prng, value: Json, depth: number): Json {
  const asArray = rand.chance(0.5);
  let out = value;
  for (let i = 0; i < depth; i++) out = asArray ? [out] : { a: out };
  return out;
}

/** A new value for the place `value` holds (undefined: remove the place). */
function perturb(rand: Prng, value: Json, options: Required<JsonMutationOptions>): Json | undefined {
  const long = (): number => rand.pick([256, 4096, options.maxLength]);
  switch (rand.below(11)) {
    case 0:
      return anyValue(rand);
    case 1:
      return rand.pick(INTERESTING_NUMBERS);
    case 2:
      return typeof value === 'number' ? rand.pick([value + 1, value - 1, -value, value * 2 ** rand.int(1, 40), value + 0.5]) : rand.pick(INTERESTING_NUMBERS);
    case 3:
      return rand.pick(INTERESTING_STRINGS);
    case 4:
      return typeof value === 'string' && rand.chance(0.5) ? value + rand.pick(INTERESTING_STRINGS) : rand.pick(INVALID_BASE64);
    case 5:
      return rand.chance(0.5) ? 'A'.repeat(long()) : 'AAAA'.repeat(long() / 4);
    case 6:
      return nest(rand, value, rand.int(2, options.maxDepth));
    case 7:
      return undefined;
    case 8: {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return rand.pick(OTHER_TYPES);
      const out = clone(value) as { [key: string]: Json };
      setOwn(out, rand.chance(0.5) ? rand.pick(INTERESTING_STRINGS) : `extra_${rand.below(100)}`, anyValue(rand));
      return out;
    }
    case 9:
      if (!Array.isArray(value)) return [value];
      // Copies of a scalar only: copies of a nested value would multiply its size.
      return rand.chance(0.3) ? [] : Array<Json>(rand.pick([2, 64, Math.floor(options.maxLength / 10)])).fill(typeof value[0] === 'object' ? 0 : (value[0] ?? null));
    default:
      return value === null || typeof value !== 'object' ? rand.pick(OTHER_TYPES) : rand.chance(0.5) ? [] : {};
  }
}

/** Replaces (or removes, for `undefined`) the place at `path` of `root`, which must be a fresh copy. */
function replaceAt(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? {} : value;
  let parent = root as Json[] | { [key: string]: Json };
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[key] as typeof parent;
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    if (value === undefined) parent.splice(last as number, 1);
    else parent[last as number] = value;
  } else if (value === undefined) delete parent[last as string];
  else setOwn(parent, last as string, value);
  return root;
}

/** Perturbs 1..maxEdits places of a copy of `value`. */
export function mutateJson(rand: Prng, value: Json, options: JsonMutationOptions = {}): Json {
  const o: Required<JsonMutationOptions> = { maxEdits: 3, maxLength: 65_536, maxDepth: 600, maxBytes: 524_288, ...options };
  let out = clone(value);
  for (let edits = rand.count(o.maxEdits); edits > 0; edits--) {
    const path = rand.pick(jsonPaths(out));
    const at = path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k]!, out);
    const edited = replaceAt(clone(out), path, perturb(rand, at, o));
    if (JSON.stringify(edited).length <= o.maxBytes) out = edited;
  }
  return out;
}

/** Bodies no JSON mutation produces: empty, not JSON, truncated, nested past any parser's patience. */
function oddBody(rand: Prng, text: string): string {
  const depth = rand.pick([1_000, 100_000]);
  return rand.pick([
    '',
    ' ',
    'null',
    '[]',
    '"x"',
    '0',
    text.slice(0, rand.below(text.length)),
    `${text}${text}`,
    '['.repeat(depth) + ']'.repeat(depth),
    '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
    '['.repeat(depth),
  ]);
}

/**
 * A request body (UTF-8 bytes) made from a valid `value`: mostly its JSON after mutateJson,
 * sometimes its JSON text mangled byte by byte, sometimes an odd body (empty, truncated, deep).
 */
export function mutateJsonBody(rand: Prng, value: Json, options: JsonMutationOptions = {}): Uint8Array {
  const text = JSON.stringify(value);
  const roll = rand.float();
  if (roll < 0.75) return new TextEncoder().encode(JSON.stringify(mutateJson(rand, value, options)));
  if (roll < 0.92) return mutateBytes(rand, new TextEncoder().encode(text), { maxEdits: 3 });
  return new TextEncoder().encode(oddBody(rand, text));
}
