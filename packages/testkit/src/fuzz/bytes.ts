/**
 * Byte mutators: small edits of a valid input (bit flips, interesting values, insertions,
 * deletions, splices from other inputs, truncation), stacked a few at a time. Every mutator
 * returns a new array and never changes its input.
 */
import { INTERESTING_16, INTERESTING_32, INTERESTING_8 } from './interesting.js';
import type { Prng } from './prng.js';

export type ByteMutatorName = 'flip' | 'interesting' | 'random' | 'insert' | 'delete' | 'splice' | 'duplicate' | 'truncate';

/** A byte range [start, end) of the input. */
export type ByteRange = readonly [start: number, end: number];

export interface ByteMutationOptions {
  /** Where point edits land (flip, interesting, random, splice): ranges of the input; default all of it. */
  readonly ranges?: readonly ByteRange[];
  /** Point edits start at a multiple of this (4 for 32-bit fields, 8 for instruction slots); default 1. */
  readonly align?: number;
  /** Insertions, deletions and truncations keep whole units of this many bytes 3 times in 4; default 1. */
  readonly unit?: number;
  /** Inputs to splice from (besides the input itself). */
  readonly corpus?: readonly Uint8Array[];
  /** At most this many stacked edits, skewed towards one; default 4. */
  readonly maxEdits?: number;
  /** Relative weights of the mutators; an absent name weighs 1, a weight of 0 turns it off. */
  readonly weights?: Partial<Record<ByteMutatorName, number>>;
}

interface Context {
  readonly rand: Prng;
  readonly options: ByteMutationOptions;
}

const BYTE_MUTATORS: Record<ByteMutatorName, (bytes: Uint8Array, c: Context) => Uint8Array> = {
  flip(bytes, { rand, options }) {
    if (bytes.length === 0) return bytes;
    const out = bytes.slice();
    const at = pointIn(out.length, rand, options, 1);
    out[at] = out[at]! ^ (1 << rand.below(8));
    return out;
  },
  interesting(bytes, { rand, options }) {
    const width = rand.pick([1, 2, 4, 4, 8]);
    if (bytes.length < width) return bytes;
    const out = bytes.slice();
    const view = new DataView(out.buffer);
    const at = pointIn(out.length, rand, options, width);
    const le = rand.chance(0.5);
    if (width === 1) view.setUint8(at, rand.pick(INTERESTING_8));
    else if (width === 2) view.setUint16(at, rand.pick(INTERESTING_16), le);
    else if (width === 4) view.setUint32(at, rand.pick(INTERESTING_32), le);
    else {
      const hi = rand.chance(0.5) ? 0 : rand.pick(INTERESTING_32);
      view.setBigUint64(at, (BigInt(hi) << 32n) | BigInt(rand.pick(INTERESTING_32)), le);
    }
    return out;
  },
  random(bytes, { rand, options }) {
    if (bytes.length === 0) return bytes;
    const out = bytes.slice();
    const { at, end } = slotIn(out.length, rand, options, 1);
    out.set(rand.bytes(Math.min(rand.int(1, 8), end - at)), at);
    return out;
  },
  insert(bytes, { rand, options }) {
    const n = chunkLength(rand, options);
    const at = boundary(bytes.length, rand, options);
    const fill = rand.chance(0.5) ? rand.bytes(n) : new Uint8Array(n).fill(rand.pick(INTERESTING_8));
    return concat(bytes.subarray(0, at), fill, bytes.subarray(at));
  },
  delete(bytes, { rand, options }) {
    if (bytes.length === 0) return bytes;
    const at = boundary(bytes.length - 1, rand, options);
    const n = Math.min(chunkLength(rand, options), bytes.length - at);
    return concat(bytes.subarray(0, at), bytes.subarray(at + n));
  },
  splice(bytes, { rand, options }) {
    const donor = options.corpus && options.corpus.length > 0 && rand.chance(0.75) ? rand.pick(options.corpus) : bytes;
    if (donor.length === 0) return bytes;
    const from = boundary(donor.length - 1, rand, options);
    const piece = donor.subarray(from, from + chunkLength(rand, options) * rand.count(8));
    if (rand.chance(0.5) || bytes.length === 0) {
      const at = boundary(bytes.length, rand, options);
      return concat(bytes.subarray(0, at), piece, bytes.subarray(at));
    }
    const out = bytes.slice();
    const at = pointIn(out.length, rand, options, 1);
    out.set(piece.subarray(0, out.length - at), at);
    return out;
  },
  duplicate(bytes, { rand, options }) {
    if (bytes.length === 0) return bytes;
    const at = boundary(bytes.length - 1, rand, options);
    const piece = bytes.subarray(at, at + chunkLength(rand, options));
    return concat(bytes.subarray(0, at + piece.length), piece, bytes.subarray(at + piece.length));
  },
  truncate(bytes, { rand, options }) {
    return bytes.subarray(0, boundary(bytes.length, rand, options)).slice();
  },
};

const NAMES = Object.keys(BYTE_MUTATORS) as ByteMutatorName[];

/** Applies 1..maxEdits mutators, chosen by weight, to a copy of `input`. */
export function mutateBytes(rand: Prng, input: Uint8Array, options: ByteMutationOptions = {}): Uint8Array {
  const context: Context = { rand, options };
  const names = NAMES.filter((n) => (options.weights?.[n] ?? 1) > 0);
  const total = names.reduce((sum, n) => sum + (options.weights?.[n] ?? 1), 0);
  let bytes = input;
  for (let edits = rand.count(options.maxEdits ?? 4); edits > 0; edits--) {
    let ticket = rand.float() * total;
    const name = names.find((n) => (ticket -= options.weights?.[n] ?? 1) < 0) ?? names[names.length - 1]!;
    bytes = BYTE_MUTATORS[name](bytes, context);
  }
  return bytes === input ? input.slice() : bytes;
}

/** Concatenates byte arrays into a new one. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A `width`-byte slot for a point edit: its aligned start inside one of the ranges (or anywhere), and the range's end. */
function slotIn(length: number, rand: Prng, options: ByteMutationOptions, width: number): { at: number; end: number } {
  const ranges = (options.ranges ?? []).filter(([s, e]) => s < length && e > s);
  const [start, rangeEnd] = ranges.length > 0 ? rand.pick(ranges) : [0, length];
  const end = Math.min(rangeEnd, length);
  const align = options.align ?? 1;
  let at = start + rand.below(end - start);
  at -= at % align;
  return { at: Math.max(0, Math.min(at, end - width)), end };
}

const pointIn = (length: number, rand: Prng, options: ByteMutationOptions, width: number): number => slotIn(length, rand, options, width).at;

/** A position in [0, max], on a unit boundary 3 times in 4. */
function boundary(max: number, rand: Prng, options: ByteMutationOptions): number {
  const unit = options.unit ?? 1;
  const at = rand.int(0, Math.max(0, max));
  return unit > 1 && rand.chance(0.75) ? at - (at % unit) : at;
}

/** How many bytes to insert or delete: whole units 3 times in 4, else 1..8 bytes. */
function chunkLength(rand: Prng, options: ByteMutationOptions): number {
  const unit = options.unit ?? 1;
  return unit > 1 && rand.chance(0.75) ? unit * rand.count(4) : rand.int(1, 8);
}
