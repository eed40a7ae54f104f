/**
 * C's strtoul on a whole argument: leading white space, a sign, `0x` for hex, a leading `0` for
 * octal with base 0; undefined unless every character is read (an empty string reads as 0, as in
 * C). Negative numbers wrap and overflow saturates, as for an unsigned long. Shared by the CLI
 * (bpftool reads numbers this way) and the object loader (Kconfig values).
 */
export function strtoul(text: string, base: 0 | 16 = 0): bigint | undefined {
  let s = text.replace(/^[ \t\n\v\f\r]+/, '');
  let negative = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  let radix: number = base;
  if (/^0x[0-9a-f]/i.test(s)) {
    s = s.slice(2);
    radix = 16;
  } else if (radix === 0) {
    radix = s.startsWith('0') ? 8 : 10;
  }
  const digits = (s.match(radix === 16 ? /^[0-9a-f]*/i : radix === 8 ? /^[0-7]*/ : /^[0-9]*/) ?? [''])[0];
  if (digits === '') return text === '' ? 0n : undefined;
  if (digits.length !== s.length) return undefined;
  const max = (1n << 64n) - 1n;
  let value = [...digits].reduce((acc, d) => acc * BigInt(radix) + BigInt(parseInt(d, radix)), 0n);
  if (value > max) value = max;
  return negative ? ((1n << 64n) - value) & max : value;
}
