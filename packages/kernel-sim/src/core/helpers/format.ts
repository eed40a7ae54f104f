import type { KernelMemory } from '../memory/kernel-memory.js';

/**
 * The format strings of bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf, checked and
 * expanded as bpf_bprintf_prepare() and bstr_printf() do (kernel/bpf/helpers.c, lib/vsprintf.c).
 *
 * Accepted: `%%`; flags `0 + - space` and a width; `%d %i %u %x %X` with `l`/`ll`; `%c`; `%s`
 * (a kernel string, empty when unreadable); `%p`, `%pK`, `%px`, `%ps`, `%pS`, `%pB` (the pointer
 * as hex: the simulated kernel neither hashes pointers nor has symbols); `%pks`/`%pus` (kernel /
 * user strings); `%pi4 %pI4 %pi6 %pI6` (addresses read from the pointer). Anything else, more
 * conversions than arguments, or a character that is not printable ASCII or white space, makes
 * the whole call fail (-EINVAL): `formatBpf` returns undefined.
 */

/** MAX_BPRINTF_BUF: the longest text the helpers produce (trace_printk keeps this many bytes less one). */
export const MAX_BPRINTF_BUF = 512;

interface Spec {
  flags: string;
  width: number;
}

const isPrintable = (c: number): boolean => (c >= 0x20 && c < 0x7f) || (c >= 0x09 && c <= 0x0d);
const isSpace = (ch: string | undefined): boolean => ch !== undefined && /^[ \t\n\v\f\r]$/.test(ch);
const isPunct = (ch: string | undefined): boolean => ch !== undefined && /^[!-/:-@[-`{-~]$/.test(ch);

function pad(text: string, spec: Spec, numeric: boolean): string {
  if (text.length >= spec.width) return text;
  if (spec.flags.includes('-')) return text.padEnd(spec.width, ' ');
  if (numeric && spec.flags.includes('0')) {
    const sign = /^[-+ ]/.test(text) ? text[0]! : '';
    return sign + text.slice(sign.length).padStart(spec.width - sign.length, '0');
  }
  return text.padStart(spec.width, ' ');
}

function integer(value: bigint, conversion: string, bits: 32 | 64, spec: Spec): string {
  const signed = conversion === 'd' || conversion === 'i';
  const v = signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value);
  let text = conversion === 'x' ? v.toString(16) : conversion === 'X' ? v.toString(16).toUpperCase() : v.toString(10);
  if (signed && v >= 0n) text = (spec.flags.includes('+') ? '+' : spec.flags.includes(' ') ? ' ' : '') + text;
  return pad(text, spec, true);
}

const hex16 = (value: bigint): string => BigInt.asUintN(64, value).toString(16).padStart(16, '0');

function ipAddress(bytes: Uint8Array, kind: string): string {
  const list = Array.from(bytes);
  if (kind === 'I4') return list.join('.');
  if (kind === 'i4') return list.map((b) => String(b).padStart(3, '0')).join('.');
  const groups = Array.from({ length: 8 }, (_, g) => ((list[g * 2]! << 8) | list[g * 2 + 1]!).toString(16).padStart(4, '0'));
  return kind === 'I6' ? groups.join(':') : groups.join('');
}

/** Expands `fmt` with `args` (u64 each); undefined when the format is one the kernel refuses. */
export function formatBpf(fmt: string, args: readonly bigint[], memory: KernelMemory): string | undefined {
  let out = '';
  let used = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt.charCodeAt(i);
    if (c > 0x7f || !isPrintable(c)) return undefined;
    if (fmt[i] !== '%') {
      out += fmt[i];
      continue;
    }
    if (fmt[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    if (used >= args.length) return undefined;
    const arg = args[used++]!;
    i++;
    const spec: Spec = { flags: '', width: 0 };
    while (fmt[i] !== undefined && '0+- '.includes(fmt[i]!)) spec.flags += fmt[i++];
    let width = '';
    if (fmt[i] !== undefined && fmt[i]! >= '1' && fmt[i]! <= '9') while (fmt[i] !== undefined && /[0-9]/.test(fmt[i]!)) width += fmt[i++];
    spec.width = width === '' ? 0 : Number(width);
    const ch = fmt[i];
    if (ch === 'p') {
      const next = fmt[i + 1];
      if ((next === 'k' || next === 'u') && fmt[i + 2] === 's') {
        i += 2;
        if (!stringMayEnd(fmt[i + 1])) return undefined;
        out += pad(memory.cString(arg, MAX_BPRINTF_BUF - 1) ?? '', spec, false);
        continue;
      }
      if (next === undefined || isSpace(next) || isPunct(next) || 'KxsSB'.includes(next)) {
        if (next !== undefined && 'KxsSB'.includes(next)) i++;
        out += pad(next === 's' || next === 'S' || next === 'B' ? `0x${BigInt.asUintN(64, arg).toString(16)}` : hex16(arg), spec, false);
        continue;
      }
      const kind = `${next}${fmt[i + 2] ?? ''}`;
      if (!['i4', 'I4', 'i6', 'I6'].includes(kind)) return undefined;
      i += 2;
      const size = kind.endsWith('4') ? 4 : 16;
      out += pad(ipAddress(memory.tryBytes(arg, size) ?? new Uint8Array(size), kind), spec, false);
      continue;
    }
    if (ch === 's') {
      if (!stringMayEnd(fmt[i + 1])) return undefined;
      out += pad(memory.cString(arg, MAX_BPRINTF_BUF - 1) ?? '', spec, false);
      continue;
    }
    if (ch === 'c') {
      out += pad(String.fromCharCode(Number(arg & 0xffn)), spec, false);
      continue;
    }
    let bits: 32 | 64 = 32;
    if (fmt[i] === 'l') {
      bits = 64;
      i++;
      if (fmt[i] === 'l') i++;
    }
    const conversion = fmt[i];
    if (conversion === undefined || !'iduxX'.includes(conversion)) return undefined;
    out += integer(arg, conversion, bits, spec);
  }
  return out;
}

/** `%s` must be followed by the end, white space or punctuation (bpf_bprintf_prepare). */
const stringMayEnd = (next: string | undefined): boolean => next === undefined || isSpace(next) || isPunct(next);

/**
 * The format string a helper was given: the bytes at `address` up to their NUL, which must come
 * within `size` bytes; undefined (-EINVAL) otherwise.
 */
export function readFormat(memory: KernelMemory, address: bigint, size: number): string | undefined {
  const bytes = memory.tryBytes(address, size);
  if (!bytes) return undefined;
  const end = bytes.indexOf(0);
  if (end < 0) return undefined;
  return Buffer.from(bytes.subarray(0, end)).toString('latin1');
}
