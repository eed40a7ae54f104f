import { BpfError, type WireError, errnoName, errnoNumber, strerror } from '@bpfhive/uapi';
import { summarizeVerifierLog } from './verifier-log.js';

/**
 * A bpf() call failed, with the errno Linux would return: rebuilt from a service's errno reply,
 * or raised by the client itself (a request that fails validation is EINVAL before it is sent).
 * `message` says what and why; `strerror(errno)` is the libc text (`No such file or directory`).
 */
export class BpfSyscallError extends BpfError {
  /** The errno number, e.g. 2. */
  readonly errno: number;
  /** The NATS subject of the request, when one was made. */
  readonly subject: string | undefined;

  /** `code` is an errno name; `options.errno` its number when the name may be unknown here. */
  constructor(code: string, message: string, options: { subject?: string; cause?: unknown; errno?: number } = {}) {
    super(code, message, { cause: options.cause });
    this.errno = options.errno ?? errnoNumber(code) ?? errnoNumber('EINVAL')!;
    this.subject = options.subject;
  }

  /** The libc text of the errno: `File exists` for EEXIST. */
  get strerror(): string {
    return strerror(this.errno);
  }
}

/** No reply within the request's timeout (ETIMEDOUT); the request may or may not have been served. */
export class BpfTimeoutError extends BpfSyscallError {
  constructor(subject: string, timeoutMs: number) {
    super('ETIMEDOUT', `${subject}: no reply within ${timeoutMs} ms`, { subject });
  }
}

/** Nothing served the subject until the retry deadline (ECONNREFUSED): the service is not running. */
export class BpfUnavailableError extends BpfSyscallError {
  constructor(subject: string, attempts: number, retryMs: number) {
    super('ECONNREFUSED', `${subject}: no service answers (NATS no responders, ${attempts} attempt${attempts === 1 ? '' : 's'} over ${retryMs} ms); is it running?`, { subject });
  }
}

/**
 * PROG_LOAD refused by the verifier (EACCES or EINVAL with a log): `message` is a one-line summary
 * (the last meaningful log lines, as cilium/ebpf summarises them), `log` the whole verifier log.
 */
export class VerifierError extends BpfSyscallError {
  /** The verifier log as the kernel fills log_buf. */
  readonly log: string;
  /** log_true_size: the log_size that would have held the whole log, when the kernel said. */
  readonly logTrueSize: number | undefined;

  constructor(code: string, cause: string, log: string, options: { subject?: string; errno?: number; logTrueSize?: number } = {}) {
    super(code, summarizeVerifierLog(cause, log), options);
    this.log = log;
    this.logTrueSize = options.logTrueSize;
  }
}

/** The typed error for an errno reply: a VerifierError when it carries a log, else a BpfSyscallError. */
export function errorFromReply(reply: WireError, subject: string): BpfSyscallError {
  const code = errnoName(reply.errno) ?? (reply.code || 'EIO');
  const options = { subject, errno: reply.errno };
  if (typeof reply.log === 'string' && reply.log.trim() !== '') {
    return new VerifierError(code, reply.message, reply.log, { ...options, ...(reply.log_true_size !== undefined && { logTrueSize: reply.log_true_size }) });
  }
  return new BpfSyscallError(code, reply.message, options);
}
