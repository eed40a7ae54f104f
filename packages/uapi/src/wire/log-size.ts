import { BpfError } from '../errors.js';

/**
 * The verifier log's buffer on the wire. Linux copies the log into the caller's `log_buf` of
 * `log_size` bytes; over NATS the log travels in the reply, so `log_size` alone bounds it, and
 * the bound must keep every reply under the server's max_payload (1 MiB by default).
 *
 * - log_level bits: BPF_LOG_LEVEL1 1, BPF_LOG_LEVEL2 2, BPF_LOG_STATS 4, BPF_LOG_FIXED 8 (a log that
 *   does not fit keeps its start; otherwise its end, as Linux 6.4+ rotates it).
 * - With log_level 0 there is no log: a log_size other than 0 is EINVAL.
 * - With a log_level, log_size is 128 .. UINT_MAX >> 2 (EINVAL otherwise, as bpf_vlog_init checks);
 *   absent or 0, it is LOG_SIZE_DEFAULT (the wire has no "no buffer"); above LOG_SIZE_MAX it is
 *   LOG_SIZE_MAX, all the wire carries.
 * - A log that does not fit fails the load with ENOSPC, even for a program the verifier accepted
 *   or rejected for another reason (bpf_check: the log's error replaces the verdict's), and the
 *   reply says `log_true_size`, the size that would have held it all (its NUL included).
 */

/** BPF_LOG_FIXED: keep the head of a log that does not fit. */
export const BPF_LOG_FIXED = 8;
/** Every log_level bit Linux knows (BPF_LOG_MASK). */
export const BPF_LOG_MASK = 0xf;
/** The smallest log_size Linux takes with a log_level. */
export const LOG_SIZE_MIN = 128;
/** The largest log_size Linux takes (UINT_MAX >> 2). */
export const LOG_SIZE_LIMIT = 0xffffffff >>> 2;
/** log_size when a request with a log_level gives none: 64 KiB. */
export const LOG_SIZE_DEFAULT = 64 * 1024;
/**
 * The largest log the wire carries: 128 KiB. JSON escapes at most multiply a byte by six (a
 * control character in a BTF source line becomes \u00XX), so the log stays under 768 KiB of a
 * 1 MiB payload, with room for the rest of the reply.
 */
export const LOG_SIZE_MAX = 128 * 1024;

/**
 * The log buffer size a request asks for, checked as bpf_vlog_init checks it and bounded for the
 * wire: undefined at log_level 0 (no log). Throws BpfError EINVAL, naming `what` ("load program").
 */
export function logBufferSize(logLevel: number, logSize: number | undefined, what: string): number | undefined {
  if (!Number.isInteger(logLevel) || logLevel < 0 || (logLevel & ~BPF_LOG_MASK) !== 0) throw new BpfError('EINVAL', `${what}: log_level ${logLevel} has unknown bits`);
  const size = logSize ?? 0;
  if (!Number.isInteger(size) || size < 0) throw new BpfError('EINVAL', `${what}: log_size ${logSize} is not a size`);
  if (logLevel === 0) {
    if (size !== 0) throw new BpfError('EINVAL', `${what}: log_size without log_level: a log buffer needs a log level`);
    return undefined;
  }
  if (size === 0) return LOG_SIZE_DEFAULT;
  if (size < LOG_SIZE_MIN || size > LOG_SIZE_LIMIT) throw new BpfError('EINVAL', `${what}: log_size ${size} is out of range (${LOG_SIZE_MIN}..${LOG_SIZE_LIMIT})`);
  return Math.min(size, LOG_SIZE_MAX);
}
