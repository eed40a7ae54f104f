import { asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { runProgram } from '../testing/run.js';
import { UNWIND_HELPER_ID, conformanceHelpers } from './helpers.js';

describe('conformance helpers', () => {
  const helpers = conformanceHelpers();

  it('conformance - unwind returns its first argument', () => {
    const program = asm`
      r1 = 7
      call ${UNWIND_HELPER_ID}
      exit`;
    expect(runProgram(program, { helpers }).r0).toBe(7n);
  });

  it('conformance - unwind with 0 stops the program, which returns 0', () => {
    const program = asm`
      r0 = 3
      r1 = 0
      call ${UNWIND_HELPER_ID}
      r0 = 2
      exit`;
    const result = runProgram(program, { helpers });
    expect(result.r0).toBe(0n);
    expect(result.steps).toBe(3);
  });

  it('conformance - unwind with 0 called through callx stops the program', () => {
    const program = asm`
      r0 = 3
      r2 = ${UNWIND_HELPER_ID}
      r1 = 0
      callx r2
      r0 = 2
      exit`;
    expect(runProgram(program, { helpers }).r0).toBe(0n);
  });
});
