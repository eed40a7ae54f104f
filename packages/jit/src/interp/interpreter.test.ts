import { type Instruction, asm, insn } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { runProgram, word } from '../testing/run.js';
import { ExecutionError, ProgramError, StepLimitError } from './errors.js';
import { Interpreter } from './interpreter.js';
import { INPUT_BASE } from './layout.js';

describe('interp run convention', () => {
  it('interp - r1 is the input address, r2 its length, r10 the stack top', () => {
    const seen: bigint[][] = [];
    runProgram(asm`exit`, { trace: (e) => seen.push([...e.registers]) }, new Uint8Array(12));
    expect(seen[0]![1]).toBe(INPUT_BASE);
    expect(seen[0]![2]).toBe(12n);
    expect(seen[0]![10]).toBe(0x7ff0_0000_0200n);
  });

  it('interp - the input is copied and the result holds the changed copy', () => {
    const input = new Uint8Array(8);
    const result = runProgram(
      asm`
        *(u8 *)(r1 + 0) = 7
        exit`,
      {},
      input,
    );
    expect(result.memory[0]).toBe(7);
    expect(input[0]).toBe(0);
  });

  it('interp - steps count every instruction executed', () => {
    const program = asm`
      r0 = 1
      goto +0
      exit`;
    expect(runProgram(program).steps).toBe(3);
  });

  it('interp - r0 is returned unsigned', () => {
    const r0 = (text: string): bigint => runProgram(asm`${text}
      exit`).r0;
    expect(r0('r0 = -1')).toBe(0xffff_ffff_ffff_ffffn);
    expect(r0('w0 = -1')).toBe(0xffff_ffffn);
  });

  it('interp - sdiv64 of INT_MIN by -1 gives INT_MIN', () => {
    const program = asm`
      r0 = 0x8000000000000000 ll
      r0 s/= -1
      exit`;
    expect(runProgram(program).r0).toBe(1n << 63n);
  });

  it('interp - the immediate of a 64-bit operation is sign-extended', () => {
    const program = asm`
      r0 = 0
      r0 += -2
      exit`;
    expect(runProgram(program).r0).toBe(0xffff_ffff_ffff_fffen);
  });

  it('interp - an address space cast without an arena stops the run', () => {
    const program = asm`
      r0 = addr_space_cast(r1, 0, 1)
      exit`;
    expect(() => runProgram(program)).toThrow('address space cast needs an arena');
    expect(runProgram(program, { addrSpaceCast: (v, imm) => v + BigInt(imm) }).r0).toBe(INPUT_BASE + 1n);
  });
});

describe('interp loads and stores', () => {
  it('interp - ST stores the immediate truncated to the access size', () => {
    const { memory } = runProgram(asm`
      *(u64 *)(r1 + 0) = -1
      *(u16 *)(r1 + 8) = 0x12345
      exit`);
    expect(word(memory, 0)).toBe(0xffff_ffff_ffff_ffffn);
    expect(word(memory, 1)).toBe(0x2345n);
  });

  it('interp - loads zero-extend and sign-extending loads sign-extend', () => {
    const memory = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0, 0, 0, 0);
    const load = (text: string): bigint => runProgram(asm`${text}
      exit`, {}, memory).r0;
    expect(load('w0 = *(u8 *)(r1 + 0)')).toBe(0x80n);
    expect(load('w0 = *(u32 *)(r1 + 0)')).toBe(0x8080_8080n);
    expect(load('r0 = *(s8 *)(r1 + 0)')).toBe(0xffff_ffff_ffff_ff80n);
    expect(load('r0 = *(s16 *)(r1 + 0)')).toBe(0xffff_ffff_ffff_8080n);
    expect(load('r0 = *(s32 *)(r1 + 0)')).toBe(0xffff_ffff_8080_8080n);
    expect(load('r0 = *(s32 *)(r1 + 4)')).toBe(0n);
  });

  it('interp - lddw loads a 64-bit constant', () => {
    const program = asm`
      r0 = 0x1122334455667788 ll
      exit`;
    expect(runProgram(program).r0).toBe(0x1122_3344_5566_7788n);
  });

  it('interp - a pseudo lddw is resolved once, when the program is prepared', () => {
    const requests: number[] = [];
    const program = asm`
      ld_pseudo r0, 1, 7   // BPF_PSEUDO_MAP_FD 7
      exit`;
    const interpreter = new Interpreter(program, {
      resolveLdImm64: (req) => (requests.push(req.insn.imm), 0xdead_0000n + BigInt(req.kind)),
    });
    expect(interpreter.run(new Uint8Array(0)).r0).toBe(0xdead_0001n);
    expect(interpreter.run(new Uint8Array(0)).r0).toBe(0xdead_0001n);
    expect(requests).toEqual([7]);
  });
});

describe('interp atomics', () => {
  // The first 8 bytes of the input hold the operand in memory; `body` runs, then r2 goes to
  // word 1 and r0 to word 2 (word 3 is left to the body).
  const run = (initial: bigint, body: string): Uint8Array => {
    const memory = new Uint8Array(32);
    new DataView(memory.buffer).setBigUint64(0, initial, true);
    const program = asm`
      ${body}
      *(u64 *)(r1 + 8) = r2
      *(u64 *)(r1 + 16) = r0
      exit`;
    return runProgram(program, {}, memory).memory;
  };

  it('interp - add64 without fetch leaves src alone', () => {
    const m = run(
      5n,
      `r2 = 3
      lock *(u64 *)(r1 + 0) += r2`,
    );
    expect([word(m, 0), word(m, 1)]).toEqual([8n, 3n]);
  });

  it('interp - fetch_add32 wraps in 32 bits, keeps the high half and returns the old value zero-extended', () => {
    const m = run(
      0x1234_5678_ffff_ffffn,
      `r2 = 0x100000001 ll
      w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)`,
    );
    expect([word(m, 0), word(m, 1)]).toEqual([0x1234_5678_0000_0000n, 0xffff_ffffn]);
  });

  it.each([
    ['or', 0b1110n],
    ['and', 0b1000n],
    ['xor', 0b0110n],
  ])('interp - fetch_%s64 stores the combination and returns the old value', (name, expected) => {
    const m = run(
      0b1100n,
      `r2 = 10 // 0b1010
      r2 = atomic_fetch_${name}((u64 *)(r1 + 0), r2)`,
    );
    expect([word(m, 0), word(m, 1)]).toEqual([expected, 0b1100n]);
  });

  it('interp - xchg64 swaps memory and src', () => {
    const m = run(
      1n,
      `r2 = 2
      r2 = xchg_64(r1 + 0, r2)`,
    );
    expect([word(m, 0), word(m, 1)]).toEqual([2n, 1n]);
  });

  it.each([
    ['stores when r0 matches', 'r0 = cmpxchg_64(r1 + 0, r0, r2)', 5n, 5n, 9n, 5n],
    ['leaves memory when r0 differs', 'r0 = cmpxchg_64(r1 + 0, r0, r2)', 5n, 4n, 5n, 5n],
    ['32-bit compares only the low half of r0', 'w0 = cmpxchg32_32(r1 + 0, w0, w2)', 5n, 0x1_0000_0005n, 9n, 5n],
  ] as const)('interp - cmpxchg %s', (_title, cmpxchg, initial, r0, memAfter, r0After) => {
    const m = run(
      initial,
      `r0 = 0x${r0.toString(16)} ll
      r2 = 9
      ${cmpxchg}`,
    );
    expect([word(m, 0), word(m, 2)]).toEqual([memAfter, r0After]);
  });

  it('interp - load-acquire zero-extends into dst and store-release writes src', () => {
    const m = run(
      0xffff_ffff_ffff_8281n,
      `w2 = load_acquire((u16 *)(r1 + 0))
      store_release((u8 *)(r1 + 24), w2)`,
    );
    expect([word(m, 0), word(m, 1), word(m, 3)]).toEqual([0xffff_ffff_ffff_8281n, 0x8281n, 0x81n]);
  });
});

describe('interp program checks', () => {
  /** One instruction followed by exit. */
  const withExit = (text: string): Instruction[] => asm`${text}
    exit`;

  it.each([
    ['an empty program', [], 'prepare: the program has no instructions'],
    ['a write to r10', withExit('r10 = 1'), 'prepare: instruction 0: writes r10, the read-only frame pointer'],
    ['a fetch into r10', withExit('r10 = xchg_64(r1 + 0, r10)'), 'instruction 0: writes r10'],
    ['a jump past the end', withExit('goto +5'), 'prepare: instruction 0: offset 5 leads to slot 6'],
    [
      'a jump into a lddw',
      asm`
        goto +1
        r0 = 1 ll
        exit`,
      'offset 1 leads to slot 2, which does not start an instruction',
    ],
    ['a conditional jump before the start', withExit('if r0 == r1 goto -2'), 'offset -2'],
    // 0x8f (BPF_ALU64 | BPF_X | 0x80) is no opcode, so the assembler has no text for it.
    ['an invalid instruction', [insn(0x8f, 0, 0, 0, 0), ...asm`exit`], 'prepare: instruction 0: unknown opcode'],
    ['a map lddw without a resolver', withExit('ld_pseudo r1, 1, 3'), 'lddw with src 1 needs a resolver (option resolveLdImm64)'],
  ])('interp - rejects %s', (_title, insns, message) => {
    expect(() => new Interpreter(insns)).toThrow(ProgramError);
    expect(() => new Interpreter(insns)).toThrow(message);
  });

  it('interp - a failing resolver rejects the program and keeps the cause', () => {
    const cause = new Error('no map 3');
    const program = asm`
      ld_pseudo r1, 1, 3
      exit`;
    const prepare = (): Interpreter => new Interpreter(program, { resolveLdImm64: () => { throw cause; } });
    expect(prepare).toThrow('prepare: instruction 0: lddw with src 1 was not resolved: no map 3');
    try {
      prepare();
    } catch (e) {
      expect((e as ProgramError).cause).toBe(cause);
    }
  });

  it('interp - running past the last instruction stops the run', () => {
    expect(() => runProgram(asm`r0 = 1`)).toThrow(new ExecutionError(1, 'ran past the last instruction').message);
  });
});

describe('interp step limit', () => {
  it('interp - an infinite loop ends with StepLimitError', () => {
    const program = asm`
      loop: goto loop
      exit`;
    const run = (): unknown => runProgram(program, { maxSteps: 1000 });
    expect(run).toThrow(StepLimitError);
    expect(run).toThrow('run: step limit of 1000 instructions reached at instruction 0');
  });

  it('interp - a run option overrides the step limit of the interpreter', () => {
    const program = asm`
        r0 = 0
      loop:
        r0 += 1
        if r0 < 100 goto loop
        exit`;
    const interpreter = new Interpreter(program, { maxSteps: 10 });
    expect(() => interpreter.run(new Uint8Array(0))).toThrow(StepLimitError);
    expect(interpreter.run(new Uint8Array(0), { maxSteps: 1000 }).r0).toBe(100n);
  });

  it('interp - exactly maxSteps instructions may run', () => {
    const program = asm`
      r0 = 1
      exit`;
    expect(runProgram(program, { maxSteps: 2 }).r0).toBe(1n);
    expect(() => runProgram(program, { maxSteps: 1 })).toThrow('at instruction 1');
  });
});
