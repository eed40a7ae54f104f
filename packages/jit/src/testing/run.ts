import type { Instruction } from '@bpfhive/uapi';
import { Interpreter, type InterpreterOptions, type RunOptions, type RunResult } from '../interp/index.js';
import { readLittleEndian } from '../interp/memory.js';

/** Runs `insns` on `memory` (default 64 zero bytes) with the suite's convention. */
export function runProgram(
  insns: readonly Instruction[],
  options: InterpreterOptions & RunOptions = {},
  memory: Uint8Array = new Uint8Array(64),
): RunResult {
  return new Interpreter(insns, options).run(memory, options);
}

/** The unsigned 64-bit little-endian word at `index * 8` of `memory`. */
export const word = (memory: Uint8Array, index: number): bigint => readLittleEndian(memory.subarray(index * 8, index * 8 + 8));
