import { disassemble } from '@bpfhive/uapi';
import { buildProgramCfg } from '../compiler/cfg.js';
import { type ConformanceEngine, runWithSuiteConvention } from '../conformance/run.js';
import { runInKernelFixture } from './kernel-fixture.js';
import type { RandomProgram } from './random-program.js';

/** How one engine ended a run: r0 and the input memory, or the error it threw. */
export type EngineOutcome =
  | { readonly ok: true; readonly r0: bigint; readonly memory: Uint8Array }
  | { readonly ok: false; readonly error: string };

export interface DifferentialResult {
  readonly program: RandomProgram;
  readonly interp: EngineOutcome;
  readonly jit: EngineOutcome;
  /** Both engines ran to the end with the same r0 and the same input memory. */
  readonly agree: boolean;
  /** False when some function's control flow is irreducible (the JIT's dispatch-loop fallback). */
  readonly reducible: boolean;
}

function runOn(program: RandomProgram, engine: ConformanceEngine): EngineOutcome {
  try {
    const { r0, memory } = program.kernel ? runInKernelFixture(program, engine) : runWithSuiteConvention(program.insns, program.input, engine);
    return { ok: true, r0, memory };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Runs `program` on the interpreter and on the JIT and compares the ends: for a kernel-mode
 * program, in the kernel fixture, the JIT inlining what it can and the interpreter calling the
 * JavaScript helpers, comparing the input, the kernel data block and the maps.
 */
export function runDifferential(program: RandomProgram): DifferentialResult {
  const interp = runOn(program, 'interp');
  const jit = runOn(program, 'jit');
  const agree = interp.ok && jit.ok && interp.r0 === jit.r0 && sameBytes(interp.memory, jit.memory);
  let reducible = true;
  try {
    reducible = buildProgramCfg(program.insns).functions.every((f) => f.reducible);
  } catch {
    // The JIT's own error is in `jit` already.
  }
  return { program, interp, jit, agree, reducible };
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function describeOutcome(outcome: EngineOutcome): string {
  return outcome.ok ? `r0 = 0x${outcome.r0.toString(16)}` : `error: ${outcome.error}`;
}

/** A reproducer for a disagreement: the seed, the input, the program and both ends. */
export function describeMismatch(result: DifferentialResult): string {
  const { program, interp, jit } = result;
  const lines = [
    `seed ${program.seed}: the engines disagree (reproduce with randomProgram(${program.seed}))`,
    `  interp: ${describeOutcome(interp)}`,
    `  jit:    ${describeOutcome(jit)}`,
  ];
  if (interp.ok && jit.ok && !sameBytes(interp.memory, jit.memory)) {
    const diffs: string[] = [];
    interp.memory.forEach((b, i) => {
      if (b !== jit.memory[i]) diffs.push(`[${i}] interp 0x${b.toString(16)} jit 0x${(jit.memory[i] ?? 0).toString(16)}`);
    });
    lines.push(`  input memory differs at ${diffs.length} byte(s): ${diffs.slice(0, 16).join(', ')}${diffs.length > 16 ? ', …' : ''}`);
  }
  lines.push(`  input (${program.input.length} bytes): ${hex(program.input)}`);
  lines.push(`  control flow: ${result.reducible ? 'reducible' : 'irreducible (dispatch loop)'}`);
  lines.push('  program:', ...disassemble(program.insns).split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}
