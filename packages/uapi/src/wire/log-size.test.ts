import { describe, expect, it } from 'vitest';
import { LOG_SIZE_DEFAULT, LOG_SIZE_MAX, logBufferSize } from './log-size.js';

describe('wire log size', () => {
  it.each([
    ['no log at level 0', 0, undefined, undefined],
    ['log_size 0 at level 0', 0, 0, undefined],
    ['the default when a level asks for a log without a size', 1, undefined, LOG_SIZE_DEFAULT],
    ['the default for log_size 0', 2, 0, LOG_SIZE_DEFAULT],
    ['the size asked for', 1, 4096, 4096],
    ['the smallest Linux takes', 1 | 8, 128, 128],
    ['at most what the wire carries', 1, 0xffffffff >>> 2, LOG_SIZE_MAX],
  ])('log size - %s', (_, level, size, expected) => {
    expect(logBufferSize(level, size, 'load program')).toBe(expected);
  });

  it.each([
    ['unknown log_level bits', 16, undefined, /log_level 16 has unknown bits/],
    ['a log_size without a log_level', 0, 4096, /log_size without log_level/],
    ['a log_size under 128', 1, 127, /log_size 127 is out of range/],
    ['a log_size over UINT_MAX >> 2', 1, 2 ** 30, /out of range/],
  ])('log size - %s is EINVAL', (_, level, size, message) => {
    expect(() => logBufferSize(level, size, 'load program')).toThrow(message);
    expect(() => logBufferSize(level, size, 'load program')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
