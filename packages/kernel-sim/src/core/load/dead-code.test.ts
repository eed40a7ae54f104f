import { JA, assemble, slotIndex } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { DEAD_CODE_TRAP, deadInstructions, sanitizeDeadCode } from './dead-code.js';

/** r0 = -1; r2 = 0 ll; if r2 == 0 goto exit; r1 = *(u32 *)(r1 + 0); r3 = 5 ll; call unknown; exit */
const PROGRAM = assemble(`
  r0 = -1
  r2 = 0 ll
  if r2 == 0 goto +4
  r1 = *(u32 *)(r1 + 0)
  r3 = 5 ll
  call 2002000000
  exit`);

describe('dead code (sanitize_dead_code)', () => {
  it('dead code - the trap is ja -1, a jump to itself', () => {
    expect(DEAD_CODE_TRAP).toEqual({ opcode: JA, dst: 0, src: 0, off: -1, imm: 0 });
  });

  it('dead code - the verifier facts name slots; a lddw is dead when its first slot is', () => {
    expect(slotIndex(PROGRAM)).toEqual([0, 1, 3, 4, 5, 7, 8, 9]);
    expect([...deadInstructions(PROGRAM, { dead_insns: [4, 5, 6, 7] })]).toEqual([3, 4, 5]);
  });

  it('dead code - facts without dead_insns (or not a list) leave every instruction live', () => {
    for (const facts of [undefined, {}, { dead_insns: [] }, { dead_insns: 'all' }]) expect(deadInstructions(PROGRAM, facts).size).toBe(0);
  });

  it('dead code - every dead slot becomes ja -1 and the live instructions keep their slot indices', () => {
    const out = sanitizeDeadCode(PROGRAM, new Set([3, 4, 5]));
    expect(out).toEqual([PROGRAM[0], PROGRAM[1], PROGRAM[2], DEAD_CODE_TRAP, DEAD_CODE_TRAP, DEAD_CODE_TRAP, DEAD_CODE_TRAP, PROGRAM[6]]);
    expect(slotIndex(out).at(-1)).toBe(slotIndex(PROGRAM).at(-1));
    expect(sanitizeDeadCode(PROGRAM, new Set())).toEqual(PROGRAM);
  });
});
