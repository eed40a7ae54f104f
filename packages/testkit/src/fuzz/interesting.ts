/**
 * Values that sit on the edges parsers get wrong: zero, one, sign boundaries, all ones, and
 * sizes and counts near the limits of their field (AFL's "interesting values", grown for eBPF:
 * 8-byte slots, 24-byte headers, 64-byte section headers).
 */
export const INTERESTING_8: readonly number[] = [0, 1, 7, 8, 16, 24, 32, 64, 0x7f, 0x80, 0xfe, 0xff];

export const INTERESTING_16: readonly number[] = [...INTERESTING_8, 0x100, 0x3ff, 0x400, 0x1000, 0x7fff, 0x8000, 0xfffe, 0xffff];

export const INTERESTING_32: readonly number[] = [
  ...INTERESTING_16,
  0x10000,
  0xfffff,
  0x100000,
  0xffffff,
  0x1000000,
  0x7ffffff8,
  0x7fffffff,
  0x80000000,
  0xfffffff0,
  0xfffffff8,
  0xffffffff,
];

/** Numbers a JSON field may hold that code handling it gets wrong: signs, fractions, 2^31, 2^32, 2^53, 2^64, overflow. */
export const INTERESTING_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1e-300,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  2 ** 63,
  2 ** 64,
  1e21,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
];

/** Strings that look like numbers to a lenient reader, or break a careless one. */
export const INTERESTING_STRINGS: readonly string[] = [
  '',
  '0',
  '-1',
  '1e999',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '0x10',
  ' 1',
  '1 ',
  '١',
  'null',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'toString',
  '%s%n',
  '../../../../etc/passwd',
  '/sys/fs/bpf/',
  'a\u0000b',
  '\ud800',
  '😀',
];

/** Text a base64 field must refuse or handle: bad alphabet, bad padding, URL-safe letters, whitespace. */
export const INVALID_BASE64: readonly string[] = ['A', 'AA', 'AAA', 'A===', '====', '=AAA', 'AA=A', 'AAAA====', '@@@@', '-_-_', 'AA AA', 'AAAA\n', '😀😀', 'QQ=='.repeat(3) + '='];
