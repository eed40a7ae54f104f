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
}

/**
 * The wire error for anything a handler threw: a BpfError keeps its errno; anything else is a
 * bug in the service and goes out as EFAULT with its message (the service keeps running).
 */
export function toWireError(e: unknown): WireError {
  if (e instanceof BpfError) {
    const log = (e as { log?: unknown }).log;
    return { errno: errnoNumber(e.code) ?? 22, code: e.code, message: e.message, ...(typeof log === 'string' && { log }) };
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
  ) {
    super(code, message);
  }
}
