import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findConformanceDir, hexToBytes } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_ENGINES, runConformanceProgram } from './run.js';

/** One line of tests.assembled.jsonl. */
interface AssembledTest {
  readonly file: string;
  readonly code: string;
  readonly mem: string;
  readonly result: string;
  readonly error: string;
  readonly cpu_version: number;
}

const suiteDir = findConformanceDir(dirname(fileURLToPath(import.meta.url)));
const tests: AssembledTest[] = readFileSync(join(suiteDir, 'tests.assembled.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as AssembledTest);

describe.each(CONFORMANCE_ENGINES)('conformance on %s', (engine) => {
  /** Decodes and runs one test as cpu v4; returns r0. */
  const runTest = (test: AssembledTest): bigint => runConformanceProgram(hexToBytes(test.code), hexToBytes(test.mem), engine);

  it('conformance - the suite has all 313 tests', () => {
    expect(tests).toHaveLength(313);
  });

  it.each(tests.map((t) => [t.file, t] as const))('conformance - %s', (_file, test) => {
    if (test.error !== '') {
      expect(() => runTest(test)).toThrow(test.error);
      return;
    }
    expect(runTest(test)).toBe(BigInt.asUintN(64, BigInt(test.result)));
  });
});
