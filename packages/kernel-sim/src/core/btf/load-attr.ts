import { BpfError } from '@bpfhive/uapi';

/**
 * BPF_BTF_LOAD's attributes, with union bpf_attr's names. There is no log buffer on the wire: the
 * log comes back as a string, `btf_log_size` bounds it as the buffer would (absent: no bound).
 */
export interface BtfLoadAttr {
  readonly btf: Uint8Array;
  /** When given, the length of `btf`. */
  readonly btf_size?: number;
  /** 0 (default): no log, except the lines that say why a blob was refused. 1: the whole log. */
  readonly btf_log_level?: number;
  readonly btf_log_size?: number;
  /** BPF_F_TOKEN_FD only, which has no meaning here: 0. */
  readonly btf_flags?: number;
}

/** BTF_MAX_SIZE. */
export const BTF_MAX_SIZE = 16 * 1024 * 1024;
/** BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2 | BPF_LOG_STATS | BPF_LOG_FIXED. */
const BPF_LOG_MASK = 0xf;
/** Keep the head of a log that does not fit rather than its tail. */
const BPF_LOG_FIXED = 8;

export interface BtfLogAttr {
  readonly level: number;
  /** Bytes the log may take with its NUL; undefined: no bound. */
  readonly size?: number;
}

const fail = (code: string, reason: string): BpfError => new BpfError(code, `load BTF: ${reason}`);

/** The checks bpf_btf_load() and bpf_vlog_init() make before the blob is read. */
export function checkBtfLoadAttr(attr: BtfLoadAttr): BtfLogAttr {
  const flags = attr.btf_flags ?? 0;
  if (flags !== 0) throw fail('EINVAL', `btf_flags 0x${flags.toString(16)}: no flag is supported (BPF_F_TOKEN_FD has no meaning over NATS)`);
  if (attr.btf.length > BTF_MAX_SIZE) throw fail('E2BIG', `${attr.btf.length} bytes is more than BTF_MAX_SIZE (${BTF_MAX_SIZE})`);
  if (attr.btf_size !== undefined && attr.btf_size !== attr.btf.length) throw fail('EINVAL', `btf_size ${attr.btf_size} is not the ${attr.btf.length} bytes of btf`);
  const level = attr.btf_log_level ?? 0;
  const size = attr.btf_log_size;
  if (!Number.isInteger(level) || level < 0 || (level & ~BPF_LOG_MASK) !== 0) throw fail('EINVAL', `btf_log_level ${level} has unknown bits`);
  if (size !== undefined && level === 0) throw fail('EINVAL', 'btf_log_size without btf_log_level: a log buffer needs a log level');
  if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > 0xffffffff >>> 2)) throw fail('EINVAL', `btf_log_size ${size} is out of range (1..${0xffffffff >>> 2})`);
  return size === undefined ? { level } : { level, size };
}

export interface FinishedLog {
  readonly log: string;
  /** btf_log_true_size: the bytes the whole log needs, its NUL included. */
  readonly trueSize: number;
  /** The log did not fit in btf_log_size: the load fails with ENOSPC, as Linux's does. */
  readonly truncated: boolean;
}

/**
 * The log as the buffer would hold it: all of it when it fits, else (Linux 6.4+) its last
 * btf_log_size - 1 bytes, or its first with BPF_LOG_FIXED.
 */
export function finishLog(text: string, attr: BtfLogAttr): FinishedLog {
  const bytes = new TextEncoder().encode(text);
  const trueSize = bytes.length + 1;
  if (attr.size === undefined || trueSize <= attr.size) return { log: text, trueSize, truncated: false };
  const room = attr.size - 1;
  const kept = attr.level & BPF_LOG_FIXED ? bytes.subarray(0, room) : bytes.subarray(bytes.length - room);
  return { log: new TextDecoder().decode(kept), trueSize, truncated: true };
}
