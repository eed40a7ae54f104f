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
  private text = '';
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
    return this.text.length;
  }

  write(s: string): void {
    if (this.level === 0) return;
    this.text += s;
    if (this.text.length > this.maxLen) this.maxLen = this.text.length;
  }

  /** Drops everything after `pos`. */
  reset(pos: number): void {
    if (pos < this.text.length) this.text = this.text.slice(0, pos);
  }

  /** The size a buffer must have to hold the whole log, terminating NUL included. */
  get trueSize(): number {
    return this.maxLen + 1;
  }

  toString(): string {
    return this.text;
  }
}
