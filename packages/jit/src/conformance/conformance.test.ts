import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AssembledTest, findConformanceDir, hexToBytes, readAssembledTests } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_ENGINES, runConformanceProgram } from './run.js';

const suiteDir = findConformanceDir(dirname(fileURLToPath(import.meta.url)));
const tests = readAssembledTests(suiteDir);

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
