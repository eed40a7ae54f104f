import { defineConfig } from 'vitest/config';

/**
 * The vitest configuration every package uses. Each run also writes `test-results.json`
 * beside the package, which `scripts/test-summary.mjs` adds up into one closing line.
 */
export function packageTestConfig(options: { passWithNoTests?: boolean; testTimeout?: number } = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      passWithNoTests: options.passWithNoTests ?? false,
      testTimeout: options.testTimeout ?? 30_000,
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    },
  });
}
