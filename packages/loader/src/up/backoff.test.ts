import { describe, expect, it } from 'vitest';
import { RESTART_MAX_MS, restartDelayMs, seconds } from './backoff.js';

describe('restart backoff', () => {
  it('backoff - doubles from 0.5 s with each failure in a row', () => {
    expect([0, 1, 2, 3, 4].map(restartDelayMs)).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('backoff - never waits longer than the cap, however many failures', () => {
    expect(restartDelayMs(6)).toBe(RESTART_MAX_MS);
    expect(restartDelayMs(10_000)).toBe(RESTART_MAX_MS);
  });

  it('backoff - delays print in seconds', () => {
    expect(seconds(500)).toBe('0.5 s');
    expect(seconds(30_000)).toBe('30 s');
  });
});
