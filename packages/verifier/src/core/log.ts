/**
 * The verifier log (the kernel's struct bpf_verifier_log): text appended as the verifier goes,
 * rewound to a saved position when a branch that ended safely is dropped at level 1, so that on
 * an error the log holds the path that led to it. Level 0 writes nothing.
 *
 * Levels are the bits of `log_level`: 1 (the path to the error, states as they change), 2 (every
 * instruction of every path, no rewinding), 4 (statistics: time and stack depth), 8 (BPF_LOG_FIXED:
 * a log that does not fit keeps its start rather than its end).
 *
 * With a `size` (log_size: the buffer's bytes, its NUL included) the log holds at most size - 1
 * bytes, as the kernel's rotating log does since 6.4: the last ones, or with BPF_LOG_FIXED the
 * first ones; `truncated` then says the load must fail with ENOSPC and `trueSize` is the
 * log_true_size to report. Memory stays bounded by the size, whatever the verifier writes. The
 * text is ASCII (the kernel's words, and BTF names, which are ASCII), so characters are bytes.
 */
export const LogLevel = { LEVEL1: 1, LEVEL2: 2, STATS: 4, FIXED: 8 } as const;

/** Dropped pieces at the front are compacted away once there are this many. */
const COMPACT_AT = 4096;

export class VerifierLog {
  /**
   * The kept text as appended pieces, from `head` on: a rewind drops whole pieces from the end
   * and trims one, so it costs what it drops, not the length of the log (a rewind per pruned
   * branch over a million processed instructions made slicing one growing string quadratic).
   */
  private pieces: string[] = [];
  private head = 0;
  /** Log positions of the kept pieces: [keptStart, keptEnd). keptEnd is min(end, room) when fixed, else end. */
  private keptStart = 0;
  private keptEnd = 0;
  /** The log's logical end: every byte written and not rewound, kept or not. */
  private end = 0;
  /** The longest the log has been: what the kernel reports as log_true_size, less the NUL. */
  private maxLen = 0;
  /** Bytes the buffer holds, less its NUL. */
  private readonly room: number;

  constructor(
    readonly level: number,
    /** log_size: the buffer's bytes, NUL included; absent: no bound. */
    readonly size?: number,
  ) {
    this.room = size === undefined ? Infinity : Math.max(0, size - 1);
  }

  /** Whether instructions and states are logged (level 1 or 2). */
  get enabled(): boolean {
    return (this.level & (LogLevel.LEVEL1 | LogLevel.LEVEL2)) !== 0;
  }

  get level2(): boolean {
    return (this.level & LogLevel.LEVEL2) !== 0;
  }

  get any(): boolean {
    return this.level !== 0;
  }

  private get fixed(): boolean {
    return (this.level & LogLevel.FIXED) !== 0;
  }

  /** The current end position. */
  get pos(): number {
    return this.end;
  }

  write(s: string): void {
    if (this.level === 0 || s.length === 0) return;
    if (this.fixed) {
      const take = Math.min(s.length, this.room - this.keptEnd);
      if (take > 0) this.push(take === s.length ? s : s.slice(0, take));
    } else {
      this.push(s);
      this.dropBefore(this.end + s.length - this.room);
    }
    this.end += s.length;
    if (this.end > this.maxLen) this.maxLen = this.end;
  }

  /** Drops everything after `pos` (bpf_vlog_reset). */
  reset(pos: number): void {
    if (pos >= this.end) return;
    this.end = pos;
    while (this.keptEnd > pos && this.pieces.length > this.head) {
      const last = this.pieces.pop()!;
      this.keptEnd -= last.length;
      if (this.keptEnd < pos) this.push(last.slice(0, pos - this.keptEnd));
    }
    if (this.pieces.length === this.head && this.keptEnd > pos) {
      // Rewound to before the kept window (a rotated-out position): the log is empty from there.
      this.keptStart = pos;
      this.keptEnd = pos;
    }
  }

  /** The size a buffer must have to hold the whole log, terminating NUL included (log_true_size). */
  get trueSize(): number {
    return this.maxLen + 1;
  }

  /** The log did not fit `size` at some point: BPF_PROG_LOAD fails with ENOSPC (bpf_vlog_finalize). */
  get truncated(): boolean {
    return this.size !== undefined && this.trueSize > this.size;
  }

  /** The text the buffer holds. */
  toString(): string {
    const text = (this.head === 0 ? this.pieces : this.pieces.slice(this.head)).join('');
    return text.length > this.room ? text.slice(text.length - this.room) : text;
  }

  private push(s: string): void {
    this.pieces.push(s);
    this.keptEnd += s.length;
  }

  /** Drops whole pieces that end at or before `pos` (the rotating log's start moved past them). */
  private dropBefore(pos: number): void {
    while (this.head < this.pieces.length - 1 && this.keptStart + this.pieces[this.head]!.length <= pos) {
      this.keptStart += this.pieces[this.head]!.length;
      this.head++;
    }
    if (this.head >= COMPACT_AT && this.head * 2 >= this.pieces.length) {
      this.pieces = this.pieces.slice(this.head);
      this.head = 0;
    }
  }
}
