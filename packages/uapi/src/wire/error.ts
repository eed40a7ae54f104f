import { BpfError } from '../errors.js';
import { errnoNumber } from '../tables/errno.js';

/**
 * The body of an error reply (DESIGN.md §2). The reply also carries the errno number in the
 * `Nats-Service-Error-Code` header, as the NATS micro services protocol does.
 */
export interface WireError {
  /** The errno number, e.g. 22. */
  readonly errno: number;
  /** Its symbolic name, e.g. "EINVAL". */
  readonly code: string;
  /** What went wrong and what to change, for a person. */
  readonly message: string;
  /** The verifier log, on prog_load's EACCES/EINVAL, as the kernel fills log_buf. */
  readonly log?: string;
  /** With the log: the log_size that would have held all of it, its NUL included (ENOSPC tells the caller to grow). */
  readonly log_true_size?: number;
}

/**
 * The wire error for anything a handler threw: a BpfError keeps its errno; anything else is a
 * bug in the service and goes out as EFAULT with its message (the service keeps running).
 */
export function toWireError(e: unknown): WireError {
  if (e instanceof BpfError) {
    const { log, logTrueSize } = e as { log?: unknown; logTrueSize?: unknown };
    return {
      errno: errnoNumber(e.code) ?? 22,
      code: e.code,
      message: e.message,
      ...(typeof log === 'string' && { log }),
      ...(typeof log === 'string' && typeof logTrueSize === 'number' && { log_true_size: logTrueSize }),
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { errno: errnoNumber('EFAULT')!, code: 'EFAULT', message: `internal error: ${message}` };
}

/** The error a client rebuilds from an error reply; keeps the errno name and any log. */
export class RemoteBpfError extends BpfError {
  constructor(
    readonly errno: number,
    code: string,
    message: string,
    readonly log?: string,
    /** log_true_size, when the reply said it. */
    readonly logTrueSize?: number,
  ) {
    super(code, message);
  }
}
