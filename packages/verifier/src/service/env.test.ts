import { describe, expect, it } from 'vitest';
import { readVerifierConfig } from './env.js';
import { DEFAULT_WORKER_HEAP_MB, defaultVerifierWorkers } from './verify-pool.js';

describe('verifier config', () => {
  it('defaults to max(2, CPUs) workers with the default heap', () => {
    expect(readVerifierConfig({})).toMatchObject({ workers: defaultVerifierWorkers(), workerHeapMb: DEFAULT_WORKER_HEAP_MB });
    expect(defaultVerifierWorkers()).toBeGreaterThanOrEqual(2);
    expect(readVerifierConfig({ VERIFIER_WORKERS: ' ' }).workers).toBe(defaultVerifierWorkers());
  });

  it('reads VERIFIER_WORKERS (0: no pool) and VERIFIER_WORKER_HEAP_MB', () => {
    expect(readVerifierConfig({ VERIFIER_WORKERS: '0', VERIFIER_WORKER_HEAP_MB: '256' })).toMatchObject({ workers: 0, workerHeapMb: 256 });
    expect(readVerifierConfig({ VERIFIER_WORKERS: '6' }).workers).toBe(6);
  });

  it.each([
    ['VERIFIER_WORKERS', 'many', /VERIFIER_WORKERS must be a whole number from 0 to 256, got many/],
    ['VERIFIER_WORKERS', '-1', /VERIFIER_WORKERS must be a whole number/],
    ['VERIFIER_WORKERS', '1.5', /VERIFIER_WORKERS must be a whole number/],
    ['VERIFIER_WORKER_HEAP_MB', '8', /VERIFIER_WORKER_HEAP_MB must be a whole number from 64 to 65536, got 8/],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => readVerifierConfig({ [name]: value })).toThrow(message);
  });
});
