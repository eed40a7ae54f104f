/**
 * A verification failure: the errno the kernel returns for it and its first log line. Thrown by
 * the checks (after they wrote their lines to the log) and caught by the driver, which turns it
 * into a `reject` verdict naming the instruction.
 */
import type { Errno } from './types.js';

export class VerifierError extends Error {
  constructor(
    readonly errno: Errno,
    message: string,
  ) {
    super(message);
    this.name = 'VerifierError';
  }
}
