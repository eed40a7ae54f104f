/**
 * The verifier log (the kernel's struct bpf_verifier_log): text appended as the verifier goes,
 * rewound to a saved position when a branch that ended safely is dropped at level 1, so that on
 * an error the log holds the path that led to it. Level 0 writes nothing.
 *
 * Levels are the bits of `log_level`: 1 (the path to the error, states as they change), 2 (every
 * instruction of every path, no rewinding), 4 (statistics: time and stack depth).
 */
export const LogLevel = { LEVEL1: 1, LEVEL2: 2, STATS: 4 } as const;

export class VerifierLog {
  /**
   * The text as appended pieces: a rewind drops whole pieces from the end and trims one, so it
   * costs what it drops, not the length of the log (a rewind per pruned branch over a million
   * processed instructions made slicing one growing string quadratic).
   */
  private readonly pieces: string[] = [];
  private length = 0;
  /** The longest the log has been: what the kernel reports as log_true_size. */
  private maxLen = 0;

  constructor(readonly level: number) {}

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

  /** The current end position. */
  get pos(): number {
    return this.length;
  }

  write(s: string): void {
    if (this.level === 0 || s.length === 0) return;
    this.pieces.push(s);
    this.length += s.length;
    if (this.length > this.maxLen) this.maxLen = this.length;
  }

  /** Drops everything after `pos`. */
  reset(pos: number): void {
    while (this.length > pos) {
      const last = this.pieces.pop()!;
      this.length -= last.length;
      if (this.length < pos) {
        const kept = last.slice(0, pos - this.length);
        this.pieces.push(kept);
        this.length += kept.length;
      }
    }
  }

  /** The size a buffer must have to hold the whole log, terminating NUL included. */
  get trueSize(): number {
    return this.maxLen + 1;
  }

  toString(): string {
    return this.pieces.join('');
  }
}
