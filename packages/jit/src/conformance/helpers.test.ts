import { describe, expect, it } from 'vitest';
import { call, callx, exit, mov64 } from '../testing/dsl.js';
import { runProgram } from '../testing/run.js';
import { UNWIND_HELPER_ID, conformanceHelpers } from './helpers.js';

describe('conformance helpers', () => {
  const helpers = conformanceHelpers();

  it('conformance - unwind returns its first argument', () => {
    expect(runProgram([mov64(1, 7), call(UNWIND_HELPER_ID), exit()], { helpers }).r0).toBe(7n);
  });

  it('conformance - unwind with 0 stops the program, which returns 0', () => {
    const result = runProgram([mov64(0, 3), mov64(1, 0), call(UNWIND_HELPER_ID), mov64(0, 2), exit()], { helpers });
    expect(result.r0).toBe(0n);
    expect(result.steps).toBe(3);
  });

  it('conformance - unwind with 0 called through callx stops the program', () => {
    const program = [mov64(0, 3), mov64(2, UNWIND_HELPER_ID), mov64(1, 0), callx(2), mov64(0, 2), exit()];
    expect(runProgram(program, { helpers }).r0).toBe(0n);
  });
});
