/**
 * Text mutators for line-oriented languages (assembly): swap tokens for dictionary words or
 * edge numbers, delete, repeat, swap and borrow lines, insert stray characters, and now and
 * then mangle the UTF-8 bytes. Every mutator returns a new string.
 */
import { mutateBytes } from './bytes.js';
import { INTERESTING_32 } from './interesting.js';
import type { Prng } from './prng.js';

export interface TextMutationOptions {
  /** Tokens worth dropping in: mnemonics, registers, operators, keywords. */
  readonly dictionary?: readonly string[];
  /** Other texts to borrow lines from. */
  readonly corpus?: readonly string[];
  /** At most this many stacked edits, skewed towards one; default 4. */
  readonly maxEdits?: number;
}

/** Numbers in the spellings assemblers read: decimal, hex, negative, and beyond 32 and 64 bits. */
export function interestingNumberText(rand: Prng): string {
  const big = rand.pick([0n, 1n, 1n << 15n, 1n << 16n, 1n << 31n, 1n << 32n, 1n << 53n, 1n << 63n, 1n << 64n, 10n ** 20n]);
  const value = rand.chance(0.5) ? BigInt(rand.pick(INTERESTING_32)) : big + BigInt(rand.int(-1, 1));
  const negative = rand.chance(0.3) ? '-' : '';
  return rand.chance(0.5) ? `${negative}${value}` : `${negative}0x${value.toString(16)}`;
}

const STRAY = [':', '#', ';', '//', '[', ']', '(', ')', '+', '-', '*', ',', '=', '\t', '\r', ' ', '\n', '%', '$', '.', 'L', 'll', '\u00a0'];
const TOKEN = /[A-Za-z0-9_.$%]+/g;

type Mutator = (text: string, rand: Prng, options: TextMutationOptions) => string;

const replaceToken: Mutator = (text, rand, options) => {
  const tokens = [...text.matchAll(TOKEN)];
  if (tokens.length === 0) return text;
  const t = rand.pick(tokens);
  const words = options.dictionary ?? [];
  const replacement = words.length > 0 && rand.chance(0.6) ? rand.pick(words) : interestingNumberText(rand);
  return text.slice(0, t.index) + replacement + text.slice(t.index + t[0].length);
};

const lines = (text: string): string[] => text.split('\n');

const TEXT_MUTATORS: readonly Mutator[] = [
  replaceToken,
  replaceToken,
  (text, rand) => {
    const ls = lines(text);
    ls.splice(rand.below(ls.length), 1);
    return ls.join('\n');
  },
  (text, rand) => {
    const ls = lines(text);
    const at = rand.below(ls.length);
    ls.splice(at, 0, ...Array<string>(rand.count(6)).fill(ls[at]!));
    return ls.join('\n');
  },
  (text, rand) => {
    const ls = lines(text);
    const a = rand.below(ls.length);
    const b = rand.below(ls.length);
    [ls[a], ls[b]] = [ls[b]!, ls[a]!];
    return ls.join('\n');
  },
  (text, rand, options) => {
    const donors = options.corpus ?? [];
    if (donors.length === 0) return text;
    const ls = lines(text);
    ls.splice(rand.below(ls.length + 1), 0, rand.pick(lines(rand.pick(donors))));
    return ls.join('\n');
  },
  (text, rand) => {
    const at = rand.below(text.length + 1);
    return text.slice(0, at) + rand.pick(STRAY) + text.slice(at);
  },
  (text, rand) => {
    const at = rand.below(text.length);
    return text.slice(0, at) + text.slice(at + rand.count(4));
  },
  (text, rand) => new TextDecoder().decode(mutateBytes(rand, new TextEncoder().encode(text))),
];

/** Applies 1..maxEdits text mutators to `text`. */
export function mutateText(rand: Prng, text: string, options: TextMutationOptions = {}): string {
  let out = text;
  for (let edits = rand.count(options.maxEdits ?? 4); edits > 0; edits--) out = rand.pick(TEXT_MUTATORS)(out, rand, options);
  return out;
}
