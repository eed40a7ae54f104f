import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of the suite's `tests.assembled.jsonl`: a test assembled to bytecode. */
export interface AssembledTest {
  /** The `.data` file under `tests/`. */
  readonly file: string;
  /** Instructions as hex, little-endian slots. */
  readonly code: string;
  /** Input memory as hex. */
  readonly mem: string;
  /** Expected r0, `0x…`. */
  readonly result: string;
  /** Expected error text, '' when the program must run to its end. */
  readonly error: string;
  /** The lowest cpu version (1..4) the program needs. */
  readonly cpu_version: number;
}

/** Reads every test of `tests.assembled.jsonl` in the suite directory (see findConformanceDir). */
export function readAssembledTests(suiteDir: string): AssembledTest[] {
  return readFileSync(join(suiteDir, 'tests.assembled.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AssembledTest);
}
