import { type Instruction, decode } from '@bpfhive/uapi';
import { compile } from '../compiler/compile.js';
import { JitProgram } from '../compiler/runtime.js';
import { Interpreter } from '../interp/index.js';
import { conformanceHelpers } from './helpers.js';

/** Engines that can run the conformance suite: the reference interpreter and the WebAssembly JIT. */
export const CONFORMANCE_ENGINES = ['interp', 'jit'] as const;
export type ConformanceEngine = (typeof CONFORMANCE_ENGINES)[number];

export const isConformanceEngine = (name: string): name is ConformanceEngine =>
  (CONFORMANCE_ENGINES as readonly string[]).includes(name);

/**
 * Runs one program the way the bpf_conformance runner expects of a plugin: decode the bytecode
 * (rejecting malformed input), run it as cpu v4 with the suite's helpers and calling convention
 * (r1 = memory, r2 = its length, 512-byte stack at r10), and return r0 as an unsigned 64-bit value.
 * Throws BpfError subclasses for a program that cannot be decoded, loaded or run to its end.
 */
export function runConformanceProgram(program: Uint8Array, memory: Uint8Array, engine: ConformanceEngine = 'interp'): bigint {
  return runWithSuiteConvention(decode(program), memory, engine).r0;
}

/** r0 and the input memory as the program left it. */
export interface SuiteRunResult {
  readonly r0: bigint;
  readonly memory: Uint8Array;
}

/**
 * Runs instructions with the suite's convention on one engine: r1 = a copy of `input`,
 * r2 = its length, a 512-byte stack per frame; helper 5 is the suite's unwind helper. The
 * differential tests run the same program on every engine through this.
 */
export function runWithSuiteConvention(insns: readonly Instruction[], input: Uint8Array, engine: ConformanceEngine): SuiteRunResult {
  switch (engine) {
    case 'interp': {
      const result = new Interpreter(insns, { helpers: conformanceHelpers() }).run(input);
      return { r0: result.r0, memory: result.memory };
    }
    case 'jit':
      return runOnJit(insns, input);
  }
}

/**
 * The JIT's layout for one suite run, in a fresh kernel memory: 16 frames of stack below
 * STACK_TOP (8 for bpf-to-bpf calls, 8 for callbacks), the input memory at INPUT.
 */
const STACK_TOP = 0x3000;
const INPUT = 0x4000;

function runOnJit(insns: readonly Instruction[], input: Uint8Array): SuiteRunResult {
  const pages = Math.ceil((INPUT + input.length) / 65536) + 1;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const bytes = new Uint8Array(memory.buffer);
  bytes.set(input, INPUT);
  const jit = new JitProgram(compile(insns), { memory, helpers: conformanceHelpers() });
  const r0 = jit.run([BigInt(INPUT), BigInt(input.length)], BigInt(STACK_TOP));
  return { r0, memory: bytes.slice(INPUT, INPUT + input.length) };
}
