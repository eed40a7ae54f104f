import { BpfError } from '../errors.js';

/**
 * Reader of the bpf_conformance `.data` test format.
 *
 *   # comment                      before the first section, and anywhere in a section
 *   -- asm                         assembly in the suite's syntax; `#` to end of line is dropped
 *   -- raw                         instructions: one 64-bit word per token (`0x…` hex or decimal,
 *                                  the little-endian value of the slot), or lines of byte pairs
 *                                  (`95 00 00 00 00 00 00 00`)
 *   -- mem                         input memory, hex bytes separated by white space
 *   -- result                      expected r0, `0x…` hex or decimal
 *   -- error                       the load or run must fail with this text (may be empty)
 *   -- c                           C source the test came from (kept, not parsed)
 *   -- no register offset          an engine capability marker (recorded)
 *
 * Rejects with DataFileError an unknown section or malformed mem, raw or result text.
 */
export interface DataFile {
  /** The assembly with comments and blank lines removed, lines joined by `\n`. */
  readonly asm?: string;
  /** Instruction bytes from `-- raw`, little-endian slots. */
  readonly raw?: Uint8Array;
  /** Input memory; empty when the file has none. */
  readonly mem: Uint8Array;
  /** Expected r0 as an unsigned 64-bit value. */
  readonly result?: bigint;
  /** Expected error text; '' when the section is present but empty (the test must fail). */
  readonly error?: string;
  /** The `-- c` section, verbatim. */
  readonly c?: string;
  /** True when the file has the `-- no register offset` marker. */
  readonly noRegisterOffset: boolean;
}

export class DataFileError extends BpfError {
  constructor(
    /** 1-based line number. */
    readonly line: number,
    reason: string,
  ) {
    super('EINVAL', `data file: line ${line}: ${reason}`);
  }
}

type SectionName = 'asm' | 'raw' | 'mem' | 'result' | 'error' | 'c' | 'no register offset';
const SECTIONS: readonly string[] = ['asm', 'raw', 'mem', 'result', 'error', 'c', 'no register offset'];

interface Line {
  readonly number: number;
  readonly text: string;
}

/** Parses the text of a `.data` file. */
export function parseDataFile(text: string): DataFile {
  const sections = new Map<SectionName, Line[]>();
  let current: Line[] | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const header = /^--\s*(.*?)\s*$/.exec(line);
    if (header !== null) {
      const name = header[1]!;
      if (!SECTIONS.includes(name)) throw new DataFileError(i + 1, `unknown section "-- ${name}"`);
      current = sections.get(name as SectionName) ?? [];
      sections.set(name as SectionName, current);
      return;
    }
    current?.push({ number: i + 1, text: line });
  });

  const body = (name: SectionName): Line[] | undefined =>
    sections.get(name)?.flatMap((l) => {
      const text = (name === 'c' ? l.text : l.text.replace(/#.*$/, '')).trimEnd();
      return name === 'c' || text.trim() !== '' ? [{ number: l.number, text }] : [];
    });

  const asm = body('asm');
  const raw = body('raw');
  const mem = body('mem');
  const result = body('result');
  const error = body('error');
  const c = body('c');
  return {
    ...(asm !== undefined && { asm: asm.map((l) => l.text).join('\n') }),
    ...(raw !== undefined && { raw: parseRaw(raw) }),
    mem: mem === undefined ? new Uint8Array(0) : parseMem(mem),
    ...(result !== undefined && result.length > 0 && { result: parseResult(result) }),
    ...(error !== undefined && { error: error.map((l) => l.text.trim()).join('\n') }),
    ...(c !== undefined && { c: c.map((l) => l.text).join('\n').trim() }),
    noRegisterOffset: sections.has('no register offset'),
  };
}

function parseMem(lines: readonly Line[]): Uint8Array {
  const out: number[] = [];
  for (const { number, text } of lines) {
    for (const token of text.trim().split(/\s+/)) {
      if (!/^(0x)?[0-9a-f]{1,2}$/i.test(token)) throw new DataFileError(number, `"${token}" is not a hex byte`);
      out.push(parseInt(token.replace(/^0x/i, ''), 16));
    }
  }
  return Uint8Array.from(out);
}

function parseRaw(lines: readonly Line[]): Uint8Array {
  const out: number[] = [];
  for (const { number, text } of lines) {
    const tokens = text.trim().split(/\s+/);
    if (tokens.length > 1 && tokens.every((t) => /^[0-9a-f]{2}$/i.test(t))) {
      tokens.forEach((t) => out.push(parseInt(t, 16)));
      continue;
    }
    for (const token of tokens) {
      const word = parseNumber(token);
      if (word === undefined || word >= 1n << 64n) throw new DataFileError(number, `"${token}" is not a 64-bit instruction word`);
      for (let i = 0n; i < 8n; i++) out.push(Number((word >> (8n * i)) & 0xffn));
    }
  }
  return Uint8Array.from(out);
}

function parseResult(lines: readonly Line[]): bigint {
  const last = lines[lines.length - 1]!;
  const value = parseNumber(last.text.trim());
  if (value === undefined) throw new DataFileError(last.number, `"${last.text.trim()}" is not a number`);
  return BigInt.asUintN(64, value);
}

/** `0x…` hex or decimal, optionally negative; undefined when it is neither. */
function parseNumber(token: string): bigint | undefined {
  if (/^-?0x[0-9a-f]+$/i.test(token)) {
    const negative = token.startsWith('-');
    const magnitude = BigInt(token.replace(/^-/, ''));
    return negative ? -magnitude : magnitude;
  }
  return /^-?[0-9]+$/.test(token) ? BigInt(token) : undefined;
}
