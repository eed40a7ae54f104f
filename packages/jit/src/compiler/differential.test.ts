import { CALL, CALLX, PseudoCall } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { conformanceHelpers } from '../conformance/helpers.js';
import {
  FEATURES,
  FIXTURE_INLINING,
  FIXTURE_TYPED_CALLS,
  KERNEL_FEATURES,
  KERNEL_LAYOUT,
  MAX_PROGRAM_INSNS,
  MIN_PROGRAM_INSNS,
  type RandomProgram,
  countFamilies,
  describeMismatch,
  jitInKernelFixture,
  kernelFixture,
  randomProgram,
  runDifferential,
  runInKernelFixture,
} from '../differential/index.js';
import { KERNEL_DATA_HELPERS } from '../kernel/kernel-data.js';
import { compile } from './compile.js';
import { JitProgram } from './runtime.js';

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

// Thousands of compiles: minutes on a loaded 2-core machine, so a generous timeout (never a speed assertion).
describe('differential: random programs on the interpreter and the JIT', { timeout: 300_000 }, () => {
  const programs: RandomProgram[] = SEEDS.map((seed) => randomProgram(seed));

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

  // run_batch runs the entry's body inlined in its loop, where exits leave a block instead of
  // returning: each program twice in one batch (the second run sees what the first stored) must
  // end as two run() calls in a row, with r2 = 0 as run_batch passes it. The suite's helper
  // stops a run with env.exit (helper-exit), which throws out of the wasm batch: runBatch resumes.
  it(`runs the same in run_batch as in run() for ${PROGRAMS} programs`, () => {
    const mismatches: number[] = [];
    for (const program of programs) {
      const compiled = compile(program.insns);
      const viaRun = runTwice(compiled, program.input, (jit) => [jit.run([BigInt(INPUT), 0n], STACK_TOP), jit.run([BigInt(INPUT), 0n], STACK_TOP)]);
      const viaBatch = runTwice(compiled, program.input, (jit, memory) => {
        const out = INPUT + Math.ceil(program.input.length / 8) * 8;
        jit.runBatch(INPUT, 0, 2, out, STACK_TOP);
        const results = new BigUint64Array(memory.buffer, out, 2);
        return [results[0]!, results[1]!];
      });
      if (JSON.stringify(viaRun) !== JSON.stringify(viaBatch)) mismatches.push(program.seed);
    }
    expect(mismatches, `seeds whose run_batch differs from run(): ${mismatches.slice(0, 10).join(', ')}`).toEqual([]);
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

const STACK_TOP = 0x3000n;
const INPUT = 0x4000;

/** A fresh instance over a fresh memory holding `input` at INPUT; what `run` returns (or the error), and the input after. */
function runTwice(compiled: ReturnType<typeof compile>, input: Uint8Array, run: (jit: JitProgram, memory: WebAssembly.Memory) => bigint[]): string[] {
  const pages = Math.ceil((INPUT + input.length + 16) / 65536) + 1;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  new Uint8Array(memory.buffer).set(input, INPUT);
  const jit = new JitProgram(compiled, { memory, helpers: conformanceHelpers() });
  let results: string[];
  try {
    results = run(jit, memory).map(String);
  } catch (e) {
    results = [`threw: ${e instanceof Error ? e.message.replace(/^run: /, '') : String(e)}`];
  }
  return [...results, Buffer.from(new Uint8Array(memory.buffer, INPUT, input.length)).toString('hex')];
}

/**
 * Kernel mode: programs that also call the helpers of the kernel data block and look up the
 * fixture's maps (differential/kernel-statements.ts), run by the interpreter with the JavaScript
 * helpers and by the JIT inlining what it can prove, over the same memory at the same addresses;
 * r0, the input, the kernel data block (prandom state) and the map values must agree.
 */
const KERNEL_PROGRAMS = 600;
const KERNEL_SEEDS = Array.from({ length: KERNEL_PROGRAMS }, (_, i) => i + 1);

describe('differential: kernel-mode programs, interpreter with JavaScript helpers against the JIT inlining them', { timeout: 300_000 }, () => {
  const programs = KERNEL_SEEDS.map((seed) => randomProgram(seed, { kernel: true }));

  it('makes other programs than plain mode from the same seed, the same ones every time', () => {
    expect(randomProgram(5, { kernel: true }).insns).toEqual(programs[4]!.insns);
    expect(randomProgram(5, { kernel: true }).insns).not.toEqual(randomProgram(5).insns);
  });

  it(`agrees on r0, the input, the kernel data block and the maps for ${KERNEL_PROGRAMS} programs`, () => {
    const mismatches = programs.map((p) => runDifferential(p)).filter((r) => !r.agree);
    const shown = mismatches.slice(0, 3).map(describeMismatch).join('\n\n');
    expect(mismatches.length, `${mismatches.length} of ${KERNEL_PROGRAMS} programs disagree; the first:\n${shown}`).toBe(0);
  });

  it(`agrees with nothing inlined, every helper called with the typed ABI, for ${KERNEL_PROGRAMS} programs`, () => {
    const outcome = (program: RandomProgram, engine: 'interp' | 'jit'): string => {
      try {
        const { r0, memory } = runInKernelFixture(program, engine, FIXTURE_TYPED_CALLS);
        return `${r0} ${Buffer.from(memory).toString('hex')}`;
      } catch (e) {
        return `threw ${(e as Error).message}`;
      }
    };
    const mismatches = programs.filter((p) => outcome(p, 'interp') !== outcome(p, 'jit')).map((p) => p.seed);
    expect(mismatches, `seeds that disagree: ${mismatches.slice(0, 10).join(', ')}`).toEqual([]);
  });

  it('covers every kernel shape, every inlinable helper, and calls both inlined and not', () => {
    const totals = new Map<string, number>();
    const helperCalls = new Map<number, number>();
    let inlined = 0;
    let called = 0;
    for (const program of programs) {
      for (const [feature, n] of Object.entries(program.features)) totals.set(feature, (totals.get(feature) ?? 0) + n);
      for (const insn of program.insns) if (insn.opcode === CALL && insn.src === PseudoCall.HELPER) helperCalls.set(insn.imm, (helperCalls.get(insn.imm) ?? 0) + 1);
      const compiled = compile(program.insns, FIXTURE_INLINING);
      inlined += compiled.stats.inlinedCalls ?? 0;
      if (compiled.needs.helpers.includes(1) || program.insns.some((x) => x.opcode === CALLX)) called++;
    }
    expect(KERNEL_FEATURES.map((f) => [f, totals.get(f) ?? 0] as const).filter(([, n]) => n < MIN_OCCURRENCES)).toEqual([]);
    expect([...KERNEL_DATA_HELPERS.keys()].map((id) => [id, helperCalls.get(id) ?? 0] as const).filter(([, n]) => n < MIN_OCCURRENCES)).toEqual([]);
    expect(inlined).toBeGreaterThan(KERNEL_PROGRAMS);
    expect(called).toBeGreaterThanOrEqual(MIN_OCCURRENCES);
  });

  it(`runs the same in run_batch as in run() for ${KERNEL_PROGRAMS} programs`, () => {
    const mismatches: number[] = [];
    const inFixture = (program: RandomProgram, run: (jit: JitProgram, memory: WebAssembly.Memory) => bigint[]): string[] => {
      const fixture = kernelFixture(program.seed, program.input);
      let results: string[];
      try {
        results = run(jitInKernelFixture(program.insns, fixture), fixture.memory).map(String);
      } catch (e) {
        results = [`threw: ${e instanceof Error ? e.message : String(e)}`];
      }
      return [...results, Buffer.from(fixture.snapshot()).toString('hex')];
    };
    const input = BigInt(KERNEL_LAYOUT.input);
    const fp = BigInt(KERNEL_LAYOUT.stackTop);
    for (const program of programs) {
      const viaRun = inFixture(program, (jit) => [jit.run([input, 0n], fp), jit.run([input, 0n], fp)]);
      const viaBatch = inFixture(program, (jit, memory) => {
        const out = KERNEL_LAYOUT.input + Math.ceil(program.input.length / 8) * 8;
        jit.runBatch(KERNEL_LAYOUT.input, 0, 2, out, fp);
        const results = new BigUint64Array(memory.buffer, out, 2);
        return [results[0]!, results[1]!];
      });
      if (JSON.stringify(viaRun) !== JSON.stringify(viaBatch)) mismatches.push(program.seed);
    }
    expect(mismatches, `seeds whose run_batch differs from run(): ${mismatches.slice(0, 10).join(', ')}`).toEqual([]);
  });
});
