import { BpfError } from '@bpfhive/uapi';
import { MemoryFault } from '../interp/errors.js';

/** A compiled program stopped by a wasm trap (a memory access outside the kernel's memory, …) or a failing helper. */
export class JitExecutionError extends BpfError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('EFAULT', `run: ${reason}`, options);
  }
}

/** Thrown by `env.exit` inside a helper to leave every wasm frame at once. */
export class ProgramExit {
  constructor(readonly r0: bigint) {}
}

/** What a helper (or kfunc) named `name` threw, as the run reports it: env.exit's ProgramExit as it is, anything else as a JitExecutionError. */
export function helperFailure(name: string, e: unknown): unknown {
  if (e instanceof ProgramExit) return e;
  return new JitExecutionError(`${name} failed: ${(e as Error).message}`, { cause: e });
}

/** What a run that threw (not by env.exit) throws: BpfErrors as they are, traps and faults as JitExecutionError. */
export function runError(e: unknown, batchIndex?: number): unknown {
  const where = batchIndex === undefined ? '' : ` (batch context ${batchIndex})`;
  if (e instanceof JitExecutionError && where !== '') return new JitExecutionError(`${e.message.replace(/^run: /, '')}${where}`, { cause: e.cause ?? e });
  if (e instanceof BpfError) return e;
  if (e instanceof WebAssembly.RuntimeError) return new JitExecutionError(`wasm trap: ${e.message}${where}`, { cause: e });
  if (e instanceof MemoryFault) return new JitExecutionError(`${e.message}${where}`, { cause: e });
  return e;
}
