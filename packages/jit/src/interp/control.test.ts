import { type Instruction, asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { runProgram } from '../testing/run.js';
import { ExecutionError } from './errors.js';
import { Interpreter } from './interpreter.js';
import { BPF_MAX_LOOPS } from './limits.js';

/** Counts loop iterations until may_goto jumps out: r0 = number of fall-throughs. */
const COUNTING_LOOP = `
    r0 = 0
  loop:
    may_goto done   // taken when the budget is spent
    r0 += 1
    goto loop
  done:
    exit`;
const countingLoop = asm`${COUNTING_LOOP}`;

describe('interp jumps', () => {
  it('interp - gotol takes its offset from the immediate', () => {
    const program = asm`
      gotol +1
      r0 = 1
      exit`;
    expect(runProgram(program).r0).toBe(0n);
  });

  it('interp - a taken conditional jump skips, an untaken one falls through', () => {
    const program = (condition: string): Instruction[] => asm`
        r0 = 1
        r1 = -1
        if r1 ${condition} 0 goto out
        r0 = 2
      out:
        exit`;
    expect(runProgram(program('>')).r0).toBe(1n);
    expect(runProgram(program('s>')).r0).toBe(2n);
  });

  it('interp - jmp32 compares the low halves only', () => {
    const program = asm`
        r0 = 1
        r1 = 1
        r1 += r1
        if w1 == 2 goto out
        r0 = 2
      out:
        exit`;
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
    const program = asm`
        call count
        r6 = r0
        call count
        r0 += r6
        exit
      count:
        ${COUNTING_LOOP}`;
    expect(runProgram(program, { mayGotoBudget: 2 }).r0).toBe(4n);
  });

  it('interp - the step limit still ends a loop whose budget is large', () => {
    expect(() => runProgram(countingLoop, { maxSteps: 100 })).toThrow('step limit of 100 instructions');
  });
});

describe('interp legacy packet access', () => {
  const packet = Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55);

  it.each([
    ['LD_ABS byte', 'r0 = *(u8 *)skb[4]', 0x55n],
    ['LD_ABS half word, big-endian', 'r0 = *(u16 *)skb[1]', 0x2233n],
    ['LD_ABS word, big-endian', 'r0 = *(u32 *)skb[1]', 0x2233_4455n],
    ['LD_IND adds src and imm', 'r7 = 2\nr0 = *(u16 *)skb[r7 + 1]', 0x4455n],
    ['LD_ABS past the end returns 0 at once', 'r0 = *(u32 *)skb[2]\nr0 = 9', 0n],
    ['LD_IND at a negative offset returns 0', 'r7 = -2\nr0 = *(u8 *)skb[r7 + 1]\nr0 = 9', 0n],
    ['LD_IND offsets wrap to 32 bits', 'r7 = 0x100000002 ll\nr0 = *(u8 *)skb[r7]', 0x33n],
  ])('interp - %s', (_title, body, expected) => {
    const program = asm`
      ${body}
      exit`;
    expect(runProgram(program, { packet }).r0).toBe(expected);
  });

  it('interp - a failed packet load in a function returns 0 from that function only', () => {
    const program = asm`
        call load
        r0 += 1
        exit
      load:
        r0 = *(u32 *)skb[100]
        r0 = 9
        exit`;
    expect(runProgram(program, { packet }).r0).toBe(1n);
  });

  it('interp - a packet source function receives r6', () => {
    const seen: bigint[] = [];
    const source = (ctx: bigint): Uint8Array => (seen.push(ctx), packet);
    const program = asm`
      r6 = 123
      r0 = *(u8 *)skb[0]
      exit`;
    expect(runProgram(program, { packet: source }).r0).toBe(0x11n);
    expect(seen).toEqual([123n]);
  });

  it('interp - LD_ABS without a packet stops the run', () => {
    const program = asm`
      r0 = *(u8 *)skb[0]
      exit`;
    expect(() => runProgram(program)).toThrow(ExecutionError);
    expect(() => runProgram(program)).toThrow('LD_ABS and LD_IND need a packet (option packet) at instruction 0');
  });
});
