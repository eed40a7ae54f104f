import type { Instruction } from '@bpfhive/uapi';
import { PROBE_NULL_GUARD } from '../compiler/codegen.js';
import { compile } from '../compiler/compile.js';
import { JitProgram } from '../compiler/runtime.js';
import { Interpreter } from '../interp/interpreter.js';
import { AddressSpace } from '../interp/memory.js';

/**
 * The memory both engines see when comparing BPF_PROBE_MEM loads, at the same addresses:
 *
 *   0 .. PROBE_NULL_GUARD      the NULL guard: JIT memory filled with GUARD_BYTE (a load that
 *                              wrongly reads it shows), unmapped for the interpreter
 *   kernel .. end              region "kernel", pattern-filled, readable and writable on both
 *   end ..                     outside the JIT's memory, unmapped for the interpreter
 *
 * The JIT's stack is the top of the kernel region (the interpreter maps its own stacks), so
 * programs compared here must not read the stack as data.
 */
export const PROBE_LAYOUT = {
  pages: 3,
  kernel: PROBE_NULL_GUARD,
  end: 3 * 65536,
  stackTop: 3 * 65536,
} as const;

/** The byte the NULL guard page is filled with in the JIT's memory. */
export const GUARD_BYTE = 0xa5;

/** The byte at `address` of the kernel region: a pattern that makes every word distinct. */
export const kernelByte = (address: number): number => (address * 7 + (address >> 8)) & 0xff;

function probeMemory(): WebAssembly.Memory {
  const memory = new WebAssembly.Memory({ initial: PROBE_LAYOUT.pages, maximum: PROBE_LAYOUT.pages, shared: true });
  const bytes = new Uint8Array(memory.buffer);
  bytes.fill(GUARD_BYTE, 0, PROBE_LAYOUT.kernel);
  for (let a = PROBE_LAYOUT.kernel; a < PROBE_LAYOUT.end; a++) bytes[a] = kernelByte(a);
  return memory;
}

/**
 * Runs `insns` once on one engine in a fresh probe memory (PROBE_LAYOUT), with `probeLoads`
 * (instruction indexes) as BPF_PROBE_MEM loads and r1..r5 = `args`; returns r0 (unsigned).
 * `vectorize` is the JIT's compile option (default true). Throws what the engine throws.
 */
export function runWithProbeLoads(
  insns: readonly Instruction[],
  probeLoads: readonly number[],
  args: readonly bigint[],
  engine: 'interp' | 'jit',
  vectorize = true,
): bigint {
  const memory = probeMemory();
  if (engine === 'interp') {
    const kernel = new Uint8Array(memory.buffer, PROBE_LAYOUT.kernel, PROBE_LAYOUT.end - PROBE_LAYOUT.kernel);
    const space = new AddressSpace([{ name: 'kernel', base: BigInt(PROBE_LAYOUT.kernel), bytes: kernel, writable: true }]);
    return new Interpreter(insns, { probeLoads }).execute({ memory: space, args }).r0;
  }
  const shape = { initial: PROBE_LAYOUT.pages, maximum: PROBE_LAYOUT.pages, shared: true };
  const jit = new JitProgram(compile(insns, { probeLoads, vectorize, memory: shape }), { memory });
  return BigInt.asUintN(64, jit.run(args, BigInt(PROBE_LAYOUT.stackTop)));
}
