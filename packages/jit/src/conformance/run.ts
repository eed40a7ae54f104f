import { decode } from '@bpfhive/uapi';
import { Interpreter } from '../interp/index.js';
import { conformanceHelpers } from './helpers.js';

/** Engines that can run the conformance suite. The WebAssembly JIT joins this list when it lands. */
export const CONFORMANCE_ENGINES = ['interp'] as const;
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
  switch (engine) {
    case 'interp':
      return new Interpreter(decode(program), { helpers: conformanceHelpers() }).run(memory).r0;
  }
}
