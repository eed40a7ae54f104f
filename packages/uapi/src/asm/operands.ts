import { MAX_REG } from '../insn/opcode.js';

/**
 * Operand parsing shared by both assembly syntaxes. Every parser returns the value or throws
 * OperandError with a message for a person; the assembler adds the line number.
 */
export class OperandError extends Error {}

const INTEGER = /^([+-])?(0x[0-9a-f]+|\d+)$/i;

/** A decimal or hex integer with an optional sign, as a bigint; undefined when not a number. */
export function parseInteger(token: string): bigint | undefined {
  const m = INTEGER.exec(token.trim());
  if (!m) return undefined;
  const magnitude = BigInt(m[2]!);
  return m[1] === '-' ? -magnitude : magnitude;
}

const isHex = (token: string): boolean => /^[+-]?0x/i.test(token.trim());

function integerIn(token: string, what: string, bits: number): bigint {
  const v = parseInteger(token);
  if (v === undefined) throw new OperandError(`expected ${what}, found '${token}'`);
  // Decimal numbers are signed; hex numbers may also spell the unsigned bit pattern.
  const min = -(1n << BigInt(bits - 1));
  const max = isHex(token) ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  if (v < min || v > max) {
    throw new OperandError(`${what} ${token} is out of range: it must fit in ${bits} bits (${min} to ${max})`);
  }
  return BigInt.asIntN(bits, v);
}

/** A 32-bit immediate: decimal -2^31..2^31-1, or hex up to 0xffffffff (the bit pattern). */
export const parseImm32 = (token: string): number => Number(integerIn(token, 'a 32-bit immediate', 32));

/** A 32-bit pattern, signed or unsigned in any base: -2^31..2^32-1 (ld_pseudo immediates). */
export function parseBits32(token: string): number {
  const v = parseInteger(token);
  if (v === undefined || v < -(1n << 31n) || v > (1n << 32n) - 1n) {
    throw new OperandError(`expected a 32-bit number, found '${token}'`);
  }
  return Number(BigInt.asIntN(32, v));
}

/** A 16-bit offset: decimal -32768..32767, or hex up to 0xffff. */
export const parseOff16 = (token: string): number => Number(integerIn(token, 'a 16-bit offset', 16));

/** A 64-bit immediate for `lddw`: signed, or hex up to 0xffffffffffffffff. */
export const parseImm64 = (token: string): bigint => integerIn(token, 'a 64-bit immediate', 64);

export type RegisterWidth = 'r' | 'w';

/**
 * A register `rN`/`wN` (LLVM) or `%rN` (conformance syntax); `width` tells which letter
 * was used. Throws for anything else, or for a number above r10.
 */
export function parseRegister(token: string): { reg: number; width: RegisterWidth } {
  const m = /^%?([rw])(\d+)$/.exec(token.trim());
  if (!m) throw new OperandError(`expected a register, found '${token}'`);
  const reg = Number(m[2]);
  if (reg > MAX_REG) throw new OperandError(`invalid register ${token.trim()} (registers are r0..r${MAX_REG})`);
  return { reg, width: m[1] as RegisterWidth };
}

export const isRegister = (token: string): boolean => /^%?[rw]\d+$/.test(token.trim());

/** A label name: letters, digits, `_`, `.`, `$`, not starting with a digit. */
export const LABEL = /^[A-Za-z_.$][\w.$]*$/;

/** A jump target: a relative slot offset `+N`/`-N` (or a bare number), or a label. */
export type Target = { kind: 'offset'; value: number } | { kind: 'label'; name: string };

export function parseTarget(token: string, bits: 16 | 32): Target {
  const t = token.trim();
  if (parseInteger(t) !== undefined) {
    return { kind: 'offset', value: bits === 16 ? parseOff16(t) : parseImm32(t) };
  }
  if (LABEL.test(t)) return { kind: 'label', name: t };
  throw new OperandError(`expected a jump target (+N, -N or a label), found '${token}'`);
}

/** Splits operands on top-level commas (commas inside brackets or parentheses stay). */
export function splitOperands(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim() !== '' || out.length > 0) out.push(current.trim());
  return out;
}
