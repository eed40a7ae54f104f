import { BpfError } from '@bpfhive/uapi';

/**
 * A program the JIT cannot compile: malformed control flow (a jump out of its function, a
 * function that runs off its end), an instruction it does not support, or a pseudo load it
 * cannot resolve, bad compile options. EINVAL, naming the instruction (an insnIndex below 0
 * names none).
 */
export class JitCompileError extends BpfError {
  constructor(
    readonly insnIndex: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('EINVAL', insnIndex >= 0 ? `jit: instruction ${insnIndex}: ${reason}` : `jit: ${reason}`, options);
  }
}
