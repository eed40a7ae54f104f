import { JmpOp } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { add64, callLocal, exit, gotol, ja, jmp, jmp32, ldAbs, lddw, ldInd, mayGoto, mov64, r } from '../testing/dsl.js';
import { runProgram } from '../testing/run.js';
import { ExecutionError } from './errors.js';
import { Interpreter } from './interpreter.js';
import { BPF_MAX_LOOPS } from './limits.js';

/** Counts loop iterations until may_goto jumps out: r0 = number of fall-throughs. */
const countingLoop = [
  mov64(0, 0),
  mayGoto(2), // → 4 when the budget is spent
  add64(0, 1),
  ja(-3), // → 1
  exit(),
];

describe('interp jumps', () => {
  it('interp - gotol takes its offset from the immediate', () => {
    expect(runProgram([gotol(1), mov64(0, 1), exit()]).r0).toBe(0n);
  });

  it('interp - a taken conditional jump skips, an untaken one falls through', () => {
    const program = (op: JmpOp): ReturnType<typeof exit>[] => [mov64(0, 1), mov64(1, -1), jmp(op, 1, 0, 1), mov64(0, 2), exit()];
    expect(runProgram(program(JmpOp.JGT)).r0).toBe(1n);
    expect(runProgram(program(JmpOp.JSGT)).r0).toBe(2n);
  });

  it('interp - jmp32 compares the low halves only', () => {
    const program = [mov64(0, 1), mov64(1, 1), add64(1, r(1)), jmp32(JmpOp.JEQ, 1, 2, 1), mov64(0, 2), exit()];
    expect(runProgram(program).r0).toBe(1n);
  });
});

describe('interp may_goto', () => {
  it.each([0, 1, 3, 100])('interp - may_goto with budget %i falls through that many times, then jumps', (budget) => {
    expect(runProgram(countingLoop, { mayGotoBudget: budget }).r0).toBe(BigInt(budget));
  });

  it('interp - the default budget is BPF_MAX_LOOPS', () => {
    expect(BPF_MAX_LOOPS).toBe(8 * 1024 * 1024);
    expect(new Interpreter(countingLoop).program.mayGotoBudget).toBe(BPF_MAX_LOOPS);
  });

  it('interp - each frame starts with a full budget', () => {
    // main calls the loop twice; with one budget of 2 per frame the sum is 4.
    const program = [
      callLocal(4), // → 5
      mov64(6, r(0)),
      callLocal(2), // → 5
      add64(0, r(6)),
      exit(),
      ...countingLoop,
    ];
    expect(runProgram(program, { mayGotoBudget: 2 }).r0).toBe(4n);
  });

  it('interp - the step limit still ends a loop whose budget is large', () => {
    expect(() => runProgram(countingLoop, { maxSteps: 100 })).toThrow('step limit of 100 instructions');
  });
});

describe('interp legacy packet access', () => {
  const packet = Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55);

  it.each([
    ['LD_ABS byte', [ldAbs(1, 4), exit()], 0x55n],
    ['LD_ABS half word, big-endian', [ldAbs(2, 1), exit()], 0x2233n],
    ['LD_ABS word, big-endian', [ldAbs(4, 1), exit()], 0x2233_4455n],
    ['LD_IND adds src and imm', [mov64(7, 2), ldInd(2, 7, 1), exit()], 0x4455n],
    ['LD_ABS past the end returns 0 at once', [ldAbs(4, 2), mov64(0, 9), exit()], 0n],
    ['LD_IND at a negative offset returns 0', [mov64(7, -2), ldInd(1, 7, 1), mov64(0, 9), exit()], 0n],
    ['LD_IND offsets wrap to 32 bits', [lddw(7, 0x1_0000_0002n), ldInd(1, 7, 0), exit()], 0x33n],
  ])('interp - %s', (_title, insns, expected) => {
    expect(runProgram(insns, { packet }).r0).toBe(expected);
  });

  it('interp - a failed packet load in a function returns 0 from that function only', () => {
    const program = [callLocal(2), add64(0, 1), exit(), ldAbs(4, 100), mov64(0, 9), exit()];
    expect(runProgram(program, { packet }).r0).toBe(1n);
  });

  it('interp - a packet source function receives r6', () => {
    const seen: bigint[] = [];
    const source = (ctx: bigint): Uint8Array => (seen.push(ctx), packet);
    expect(runProgram([mov64(6, 123), ldAbs(1, 0), exit()], { packet: source }).r0).toBe(0x11n);
    expect(seen).toEqual([123n]);
  });

  it('interp - LD_ABS without a packet stops the run', () => {
    expect(() => runProgram([ldAbs(1, 0), exit()])).toThrow(ExecutionError);
    expect(() => runProgram([ldAbs(1, 0), exit()])).toThrow('LD_ABS and LD_IND need a packet (option packet) at instruction 0');
  });
});
