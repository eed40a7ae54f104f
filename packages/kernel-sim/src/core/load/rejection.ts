import { BpfError, errnoEntry } from '@bpfhive/uapi';
import type { VerifyResult } from '../verify/types.js';

/**
 * The verifier refused a program: the errno it chose (EACCES unless it said otherwise), a
 * one-line summary, and the whole log, which the wire error carries as `log` (DESIGN.md §2), as
 * Linux fills log_buf.
 */
export class ProgramRejectedError extends BpfError {
  constructor(
    code: string,
    message: string,
    readonly log: string,
    /** The instruction the verifier stopped at, when it said. */
    readonly insnIndex?: number,
    /** log_true_size, when the verifier said it (the wire error carries it; ENOSPC: grow to it). */
    readonly logTrueSize?: number,
  ) {
    super(code, message);
  }
}

/** The error for a verdict that is not 'accept' (including a malformed answer: no verdict at all). */
export function rejection(result: Partial<VerifyResult> | undefined): ProgramRejectedError {
  const code = errnoEntry(result?.errno ?? 'EACCES')?.name ?? 'EACCES';
  const at = result?.error?.insn;
  const why = result?.error?.message ?? (result?.verdict === undefined ? 'the verifier gave no verdict' : 'no reason given');
  const where = at === undefined ? '' : ` at instruction ${at}`;
  const trueSize = typeof result?.log_true_size === 'number' ? result.log_true_size : undefined;
  if (code === 'ENOSPC') {
    const verdict = result?.error ? `the verifier stopped${where}: ${why}` : 'the verifier accepted the program';
    return new ProgramRejectedError(code, `load program: the verifier log needs ${trueSize ?? 'more than log_size'} bytes, more than log_size (${verdict})`, typeof result?.log === 'string' ? result.log : '', at, trueSize);
  }
  return new ProgramRejectedError(code, `load program: the verifier rejected the program${where}: ${why}`, typeof result?.log === 'string' ? result.log : '', at, trueSize);
}
