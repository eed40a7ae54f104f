import { describe, expect, it } from 'vitest';
import { LogLevel, VerifierLog } from './log.js';

/** Writes `parts` one by one; a number rewinds to that position. */
function logOf(log: VerifierLog, parts: readonly (string | number)[]): VerifierLog {
  for (const p of parts) {
    if (typeof p === 'number') log.reset(p);
    else log.write(p);
  }
  return log;
}

describe('verifier log', () => {
  it('verifier log - without a size it keeps everything and rewinds to a saved position', () => {
    const log = logOf(new VerifierLog(1), ['abc', 'def', 4, 'XY']);
    expect(log.toString()).toBe('abcdXY');
    expect(log.trueSize).toBe(7); // the longest it was (6) and its NUL
    expect(log.truncated).toBe(false);
  });

  it('verifier log - a log that fits log_size is whole and not truncated', () => {
    const log = logOf(new VerifierLog(1, 7), ['abc', 'def']);
    expect(log.toString()).toBe('abcdef');
    expect(log.truncated).toBe(false);
  });

  it('verifier log - a log longer than log_size keeps its last size - 1 bytes and reports its true size', () => {
    const log = logOf(new VerifierLog(1, 5), ['abc', 'def', 'gh']);
    expect(log.toString()).toBe('efgh');
    expect(log.trueSize).toBe(9);
    expect(log.truncated).toBe(true);
  });

  it('verifier log - BPF_LOG_FIXED keeps the first size - 1 bytes instead', () => {
    const log = logOf(new VerifierLog(1 | LogLevel.FIXED, 5), ['abc', 'def', 'gh']);
    expect(log.toString()).toBe('abcd');
    expect(log.trueSize).toBe(9);
    expect(log.truncated).toBe(true);
  });

  it('verifier log - a log that overflowed once stays truncated after a rewind shrinks it (len_max)', () => {
    const log = logOf(new VerifierLog(1, 5), ['abcdefgh', 2, 'z']);
    expect(log.toString()).toBe('abz');
    expect(log.truncated).toBe(true);
  });

  it('verifier log - a rewind past the rotated-out start leaves an empty log that grows again', () => {
    const log = logOf(new VerifierLog(1, 4), ['ab', 'cd', 'ef', 'gh', 3, 'XYZW']);
    expect(log.toString()).toBe('YZW');
    expect(log.pos).toBe(7);
  });

  it('verifier log - a rewind inside the fixed head trims it and writing resumes there', () => {
    const log = logOf(new VerifierLog(1 | LogLevel.FIXED, 6), ['abcdefgh', 2, 'XYZW']);
    expect(log.toString()).toBe('abXYZ');
  });

  it('verifier log - many writes and rewinds over a small window stay consistent with an unbounded log', () => {
    const bounded = new VerifierLog(1, 50);
    const whole = new VerifierLog(1);
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 5_000; i++) {
      if (next() % 5 === 0) {
        const to = next() % (whole.pos + 1);
        bounded.reset(to);
        whole.reset(to);
      } else {
        const s = `line ${i}\n`;
        bounded.write(s);
        whole.write(s);
      }
      const text = whole.toString();
      // Past a rewind below the window, the bounded log holds only what was written since.
      expect(text.endsWith(bounded.toString())).toBe(true);
    }
    expect(bounded.trueSize).toBe(whole.trueSize);
  });
});
