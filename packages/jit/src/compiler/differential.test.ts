import { describe, expect, it } from 'vitest';
import {
  FEATURES,
  MAX_PROGRAM_INSNS,
  MIN_PROGRAM_INSNS,
  type RandomProgram,
  countFamilies,
  describeMismatch,
  randomProgram,
  runDifferential,
} from '../differential/index.js';

/**
 * Differential test of the JIT against the reference interpreter: random valid programs
 * (src/differential/random-program.ts) must end with the same r0 and the same input memory on
 * both. `npm run differential` runs many more (scripts/differential.mjs).
 */

const PROGRAMS = 2000;
const SEEDS = Array.from({ length: PROGRAMS }, (_, i) => i + 1);

/** Every instruction family the generator must produce over SEEDS. */
function expectedFamilies(): string[] {
  const out: string[] = [];
  for (const c of ['alu32', 'alu64']) {
    for (const op of ['add', 'sub', 'mul', 'div', 'sdiv', 'mod', 'smod', 'or', 'and', 'xor', 'lsh', 'rsh', 'arsh', 'mov']) {
      out.push(`${c}.${op}.k`, `${c}.${op}.x`);
    }
    out.push(`${c}.neg`, `${c}.movsx8`, `${c}.movsx16`);
  }
  out.push('alu64.movsx32');
  for (const bits of [16, 32, 64]) out.push(`alu32.le${bits}`, `alu32.be${bits}`, `alu64.bswap${bits}`);
  for (const c of ['jmp', 'jmp32']) {
    for (const cond of ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jsge', 'jslt', 'jsle', 'jset']) out.push(`${c}.${cond}.k`, `${c}.${cond}.x`);
  }
  out.push('jmp.ja', 'jmp32.gotol', 'call.local', 'call.helper', 'callx', 'exit', 'lddw', 'lddw.src4');
  for (const size of ['b', 'h', 'w', 'dw']) {
    out.push(`ldx.${size}`, `st.${size}`, `stx.${size}`, `atomic.${size}.load_acq`, `atomic.${size}.store_rel`);
    if (size !== 'dw') out.push(`ldxs.${size}`);
  }
  for (const size of ['w', 'dw']) {
    for (const op of ['add', 'or', 'and', 'xor']) out.push(`atomic.${size}.${op}`, `atomic.${size}.fetch_${op}`);
    out.push(`atomic.${size}.xchg`, `atomic.${size}.cmpxchg`);
  }
  return out;
}

/** Each family and shape must show up at least this often over SEEDS. */
const MIN_OCCURRENCES = 20;

describe('differential: random programs on the interpreter and the JIT', () => {
  const programs: RandomProgram[] = SEEDS.map(randomProgram);

  it('makes the same program and input from the same seed', () => {
    for (const seed of [1, 77, 4_000_000_000]) {
      const a = randomProgram(seed);
      const b = randomProgram(seed);
      expect(b.insns).toEqual(a.insns);
      expect(b.input).toEqual(a.input);
    }
    expect(randomProgram(2).insns).not.toEqual(randomProgram(3).insns);
  });

  it(`keeps programs between ${MIN_PROGRAM_INSNS} and ${MAX_PROGRAM_INSNS} instructions`, () => {
    const lengths = programs.map((p) => p.insns.length);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(MIN_PROGRAM_INSNS);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_PROGRAM_INSNS);
  });

  it(`agrees on r0 and the input memory for ${PROGRAMS} programs`, () => {
    const mismatches: string[] = [];
    let irreducible = 0;
    for (const program of programs) {
      const result = runDifferential(program);
      if (!result.reducible) irreducible++;
      if (!result.agree) mismatches.push(describeMismatch(result));
    }
    const shown = mismatches.slice(0, 3).join('\n\n');
    expect(mismatches.length, `${mismatches.length} of ${PROGRAMS} programs disagree; the first:\n${shown}`).toBe(0);
    // The JIT's dispatch-loop fallback ran too.
    expect(irreducible).toBeGreaterThanOrEqual(MIN_OCCURRENCES);
  });

  it('covers every instruction family', () => {
    const counts = new Map<string, number>();
    for (const program of programs) countFamilies(program.insns, counts);
    const short = expectedFamilies()
      .map((family) => [family, counts.get(family) ?? 0] as const)
      .filter(([, n]) => n < MIN_OCCURRENCES);
    expect(short).toEqual([]);
  });

  it('covers every control-flow shape and edge case', () => {
    const totals = new Map<string, number>();
    for (const program of programs) for (const [feature, n] of Object.entries(program.features)) totals.set(feature, (totals.get(feature) ?? 0) + n);
    const short = FEATURES.map((feature) => [feature, totals.get(feature) ?? 0] as const).filter(([, n]) => n < MIN_OCCURRENCES);
    expect(short).toEqual([]);
  });
});
