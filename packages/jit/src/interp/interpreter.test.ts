import { AluOp, AtomicOp, InsnClass, JmpOp, Source, insn } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import {
  add64,
  alu64,
  atomic,
  exit,
  ja,
  jmp,
  lddw,
  ldx,
  ldxs,
  mov32,
  mov64,
  r,
  st,
  stx,
} from '../testing/dsl.js';
import { runProgram, word } from '../testing/run.js';
import { ExecutionError, ProgramError, StepLimitError } from './errors.js';
import { Interpreter } from './interpreter.js';
import { INPUT_BASE } from './layout.js';

describe('interp run convention', () => {
  it('interp - r1 is the input address, r2 its length, r10 the stack top', () => {
    const seen: bigint[][] = [];
    runProgram([exit()], { trace: (e) => seen.push([...e.registers]) }, new Uint8Array(12));
    expect(seen[0]![1]).toBe(INPUT_BASE);
    expect(seen[0]![2]).toBe(12n);
    expect(seen[0]![10]).toBe(0x7ff0_0000_0200n);
  });

  it('interp - the input is copied and the result holds the changed copy', () => {
    const input = new Uint8Array(8);
    const result = runProgram([st(1, 1, 0, 7), exit()], {}, input);
    expect(result.memory[0]).toBe(7);
    expect(input[0]).toBe(0);
  });

  it('interp - steps count every instruction executed', () => {
    expect(runProgram([mov64(0, 1), ja(0), exit()]).steps).toBe(3);
  });

  it('interp - r0 is returned unsigned', () => {
    expect(runProgram([mov64(0, -1), exit()]).r0).toBe(0xffff_ffff_ffff_ffffn);
    expect(runProgram([mov32(0, -1), exit()]).r0).toBe(0xffff_ffffn);
  });

  it('interp - sdiv64 of INT_MIN by -1 gives INT_MIN', () => {
    const program = [lddw(0, -(1n << 63n)), alu64(AluOp.DIV, 0, -1, 1), exit()];
    expect(runProgram(program).r0).toBe(1n << 63n);
  });

  it('interp - the immediate of a 64-bit operation is sign-extended', () => {
    expect(runProgram([mov64(0, 0), add64(0, -2), exit()]).r0).toBe(0xffff_ffff_ffff_fffen);
  });

  it('interp - an address space cast without an arena stops the run', () => {
    const cast = insn(InsnClass.ALU64 | AluOp.MOV | Source.X, 0, 1, 1, 1);
    expect(() => runProgram([cast, exit()])).toThrow('address space cast needs an arena');
    expect(runProgram([cast, exit()], { addrSpaceCast: (v, imm) => v + BigInt(imm) }).r0).toBe(INPUT_BASE + 1n);
  });
});

describe('interp loads and stores', () => {
  it('interp - ST stores the immediate truncated to the access size', () => {
    const { memory } = runProgram([st(8, 1, 0, -1), st(2, 1, 8, 0x12345), exit()]);
    expect(word(memory, 0)).toBe(0xffff_ffff_ffff_ffffn);
    expect(word(memory, 1)).toBe(0x2345n);
  });

  it('interp - loads zero-extend and sign-extending loads sign-extend', () => {
    const memory = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0, 0, 0, 0);
    const load = (i: ReturnType<typeof ldx>): bigint => runProgram([i, exit()], {}, memory).r0;
    expect(load(ldx(1, 0, 1, 0))).toBe(0x80n);
    expect(load(ldx(4, 0, 1, 0))).toBe(0x8080_8080n);
    expect(load(ldxs(1, 0, 1, 0))).toBe(0xffff_ffff_ffff_ff80n);
    expect(load(ldxs(2, 0, 1, 0))).toBe(0xffff_ffff_ffff_8080n);
    expect(load(ldxs(4, 0, 1, 0))).toBe(0xffff_ffff_8080_8080n);
    expect(load(ldxs(4, 0, 1, 4))).toBe(0n);
  });

  it('interp - lddw loads a 64-bit constant', () => {
    expect(runProgram([lddw(0, 0x1122_3344_5566_7788n), exit()]).r0).toBe(0x1122_3344_5566_7788n);
  });

  it('interp - a pseudo lddw is resolved once, when the program is prepared', () => {
    const requests: number[] = [];
    const interpreter = new Interpreter([lddw(0, 7n, 1), exit()], {
      resolveLdImm64: (req) => (requests.push(req.insn.imm), 0xdead_0000n + BigInt(req.kind)),
    });
    expect(interpreter.run(new Uint8Array(0)).r0).toBe(0xdead_0001n);
    expect(interpreter.run(new Uint8Array(0)).r0).toBe(0xdead_0001n);
    expect(requests).toEqual([7]);
  });
});

describe('interp atomics', () => {
  // The first 8 bytes of the input hold the operand in memory; results go to words 1..3.
  const run = (initial: bigint, ...body: ReturnType<typeof exit>[]): Uint8Array => {
    const memory = new Uint8Array(32);
    new DataView(memory.buffer).setBigUint64(0, initial, true);
    return runProgram([...body, stx(8, 1, 8, 2), stx(8, 1, 16, 0), exit()], {}, memory).memory;
  };

  it('interp - add64 without fetch leaves src alone', () => {
    const m = run(5n, mov64(2, 3), atomic(8, AtomicOp.ADD, 1, 0, 2));
    expect([word(m, 0), word(m, 1)]).toEqual([8n, 3n]);
  });

  it('interp - fetch_add32 wraps in 32 bits, keeps the high half and returns the old value zero-extended', () => {
    const m = run(0x1234_5678_ffff_ffffn, lddw(2, 0x1_0000_0001n), atomic(4, AtomicOp.ADD | AtomicOp.FETCH, 1, 0, 2));
    expect([word(m, 0), word(m, 1)]).toEqual([0x1234_5678_0000_0000n, 0xffff_ffffn]);
  });

  it.each([
    ['or', AtomicOp.OR, 0b1110n],
    ['and', AtomicOp.AND, 0b1000n],
    ['xor', AtomicOp.XOR, 0b0110n],
  ])('interp - fetch_%s64 stores the combination and returns the old value', (_name, op, expected) => {
    const m = run(0b1100n, mov64(2, 0b1010), atomic(8, op | AtomicOp.FETCH, 1, 0, 2));
    expect([word(m, 0), word(m, 1)]).toEqual([expected, 0b1100n]);
  });

  it('interp - xchg64 swaps memory and src', () => {
    const m = run(1n, mov64(2, 2), atomic(8, AtomicOp.XCHG, 1, 0, 2));
    expect([word(m, 0), word(m, 1)]).toEqual([2n, 1n]);
  });

  it.each([
    ['stores when r0 matches', 8, 5n, 5n, 9n, 5n],
    ['leaves memory when r0 differs', 8, 5n, 4n, 5n, 5n],
    ['32-bit compares only the low half of r0', 4, 5n, 0x1_0000_0005n, 9n, 5n],
  ] as const)('interp - cmpxchg %s', (_title, size, initial, r0, memAfter, r0After) => {
    const m = run(initial, lddw(0, r0), mov64(2, 9), atomic(size, AtomicOp.CMPXCHG, 1, 0, 2));
    expect([word(m, 0), word(m, 2)]).toEqual([memAfter, r0After]);
  });

  it('interp - load-acquire zero-extends into dst and store-release writes src', () => {
    const m = run(
      0xffff_ffff_ffff_8281n,
      atomic(2, AtomicOp.LOAD_ACQ, 2, 0, 1),
      atomic(1, AtomicOp.STORE_REL, 1, 24, 2),
    );
    expect([word(m, 0), word(m, 1), word(m, 3)]).toEqual([0xffff_ffff_ffff_8281n, 0x8281n, 0x81n]);
  });
});

describe('interp program checks', () => {
  it.each([
    ['an empty program', [], 'prepare: the program has no instructions'],
    ['a write to r10', [mov64(10, 1), exit()], 'prepare: instruction 0: writes r10, the read-only frame pointer'],
    ['a fetch into r10', [atomic(8, AtomicOp.XCHG, 1, 0, 10), exit()], 'instruction 0: writes r10'],
    ['a jump past the end', [ja(5), exit()], 'prepare: instruction 0: offset 5 leads to slot 6'],
    ['a jump into a lddw', [ja(1), lddw(0, 1n), exit()], 'offset 1 leads to slot 2, which does not start an instruction'],
    ['a conditional jump before the start', [jmp(JmpOp.JEQ, 0, r(1), -2), exit()], 'offset -2'],
    ['an invalid instruction', [insn(0x8f, 0, 0, 0, 0), exit()], 'prepare: instruction 0: unknown opcode'],
    ['a map lddw without a resolver', [lddw(1, 3n, 1), exit()], 'lddw with src 1 needs a resolver (option resolveLdImm64)'],
  ])('interp - rejects %s', (_title, insns, message) => {
    expect(() => new Interpreter(insns)).toThrow(ProgramError);
    expect(() => new Interpreter(insns)).toThrow(message);
  });

  it('interp - a failing resolver rejects the program and keeps the cause', () => {
    const cause = new Error('no map 3');
    const prepare = (): Interpreter => new Interpreter([lddw(1, 3n, 1), exit()], { resolveLdImm64: () => { throw cause; } });
    expect(prepare).toThrow('prepare: instruction 0: lddw with src 1 was not resolved: no map 3');
    try {
      prepare();
    } catch (e) {
      expect((e as ProgramError).cause).toBe(cause);
    }
  });

  it('interp - running past the last instruction stops the run', () => {
    expect(() => runProgram([mov64(0, 1)])).toThrow(new ExecutionError(1, 'ran past the last instruction').message);
  });
});

describe('interp step limit', () => {
  it('interp - an infinite loop ends with StepLimitError', () => {
    const run = (): unknown => runProgram([ja(-1), exit()], { maxSteps: 1000 });
    expect(run).toThrow(StepLimitError);
    expect(run).toThrow('run: step limit of 1000 instructions reached at instruction 0');
  });

  it('interp - a run option overrides the step limit of the interpreter', () => {
    const interpreter = new Interpreter([mov64(0, 0), add64(0, 1), jmp(JmpOp.JLT, 0, 100, -2), exit()], { maxSteps: 10 });
    expect(() => interpreter.run(new Uint8Array(0))).toThrow(StepLimitError);
    expect(interpreter.run(new Uint8Array(0), { maxSteps: 1000 }).r0).toBe(100n);
  });

  it('interp - exactly maxSteps instructions may run', () => {
    expect(runProgram([mov64(0, 1), exit()], { maxSteps: 2 }).r0).toBe(1n);
    expect(() => runProgram([mov64(0, 1), exit()], { maxSteps: 1 })).toThrow('at instruction 1');
  });
});
