import { AtomicOp } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { add64, atomic, callLocal, exit, ldx, mov64, r, st, stx } from '../testing/dsl.js';
import { runProgram } from '../testing/run.js';
import { MemoryAccessError } from './errors.js';
import { Interpreter } from './interpreter.js';
import { stackTop } from './layout.js';
import { AddressSpace, type Region } from './memory.js';

const catchError = (run: () => unknown): unknown => {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected the run to fail');
};

describe('interp memory checks', () => {
  it('interp - a load above the stack is out of bounds and names the frame', () => {
    const error = catchError(() => runProgram([mov64(0, 0), ldx(8, 0, 10, 8), exit()]));
    expect(error).toBeInstanceOf(MemoryAccessError);
    expect((error as Error).message).toBe(
      'run: out of bounds: 8-byte load at 0x7ff000000208 (stack frame 0 + 520) at instruction 1',
    );
    const fault = (error as MemoryAccessError).fault;
    expect([fault.address, fault.size, fault.access, (error as MemoryAccessError).insnIndex]).toEqual([
      0x7ff0_0000_0208n,
      8,
      'load',
      1,
    ]);
  });

  it.each([
    ['a store below the stack', [st(8, 10, -520, 1), exit()], '8-byte store at 0x7feffffffff8 (stack frame 0 - 8)'],
    ['a load straddling the input end', [ldx(4, 0, 1, 6), exit()], '4-byte load at 0x100000006 (input + 6)'],
    ['a load through a null pointer', [mov64(1, 0), ldx(1, 0, 1, 0), exit()], '1-byte load at 0x0 (input - 4294967296)'],
    ['an atomic past the input', [atomic(8, AtomicOp.ADD, 1, 8, 1), exit()], '8-byte atomic at 0x100000008 (input + 8)'],
  ])('interp - %s is rejected', (_title, insns, message) => {
    expect(() => runProgram(insns, {}, new Uint8Array(8))).toThrow(message);
  });

  it('interp - the whole stack, r10-512 to r10-1, is usable', () => {
    const program = [st(8, 10, -512, 3), st(1, 10, -1, 4), ldx(8, 0, 10, -512), ldx(1, 2, 10, -1), add64(0, r(2)), exit()];
    expect(runProgram(program).r0).toBe(7n);
  });

  describe('read-only regions', () => {
    const ctx = (): Region => ({ name: 'ctx', base: 0x1000n, bytes: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), writable: false });

    it('interp - a load from a read-only region works', () => {
      const result = new Interpreter([ldx(2, 0, 1, 2), exit()]).execute({ memory: new AddressSpace([ctx()]), args: [0x1000n] });
      expect(result.r0).toBe(0x0403n);
    });

    it.each([
      ['a store', stx(8, 1, 0, 1), 'run: read-only: 8-byte store at 0x1000 (ctx + 0) at instruction 0'],
      ['an immediate store', st(1, 1, 7, 0), 'run: read-only: 1-byte store at 0x1007 (ctx + 7) at instruction 0'],
      ['an atomic', atomic(4, AtomicOp.ADD, 1, 4, 1), 'run: read-only: 4-byte atomic at 0x1004 (ctx + 4) at instruction 0'],
    ])('interp - %s into a read-only region is rejected', (_title, insn, message) => {
      const run = (): unknown => new Interpreter([insn, exit()]).execute({ memory: new AddressSpace([ctx()]), args: [0x1000n] });
      expect(run).toThrow(MemoryAccessError);
      expect(run).toThrow(message);
    });
  });

  describe('stack isolation between frames', () => {
    it('interp - a callee writes its own stack, not its caller', () => {
      const program = [
        st(8, 10, -8, 1),
        callLocal(2), // → 4
        ldx(8, 0, 10, -8),
        exit(),
        st(8, 10, -8, 2),
        exit(),
      ];
      expect(runProgram(program).r0).toBe(1n);
    });

    it('interp - a callee reaches its caller stack through a pointer it was given', () => {
      const program = [
        st(8, 10, -8, 1),
        mov64(1, r(10)),
        add64(1, -8),
        callLocal(2), // → 6
        ldx(8, 0, 10, -8),
        exit(),
        st(8, 1, 0, 42),
        exit(),
      ];
      expect(runProgram(program).r0).toBe(42n);
    });

    it('interp - each frame has its own frame pointer, restored on return', () => {
      const program = [callLocal(2), mov64(1, r(10)), exit(), mov64(0, r(10)), exit()];
      const seen: bigint[] = [];
      const result = runProgram(program, { trace: (e) => e.insnIndex === 2 && seen.push(e.registers[1]!) });
      expect(result.r0).toBe(stackTop(1));
      expect(seen).toEqual([stackTop(0)]);
    });

    it("interp - a callee cannot run past its stack into its caller's", () => {
      const program = [callLocal(1), exit(), ldx(8, 0, 10, 0), exit()];
      expect(() => runProgram(program)).toThrow('8-byte load at 0x7ff000010200 (stack frame 1 + 512) at instruction 2');
    });

    it('interp - stacks are unmapped after the run, also after a failure', () => {
      const memory = new AddressSpace();
      new Interpreter([callLocal(1), exit(), exit()]).execute({ memory });
      expect(memory.regions).toEqual([]);
      expect(() => new Interpreter([callLocal(1), exit(), ldx(8, 0, 10, 0), exit()]).execute({ memory })).toThrow();
      expect(memory.regions).toEqual([]);
    });

    it('interp - every run starts with a zeroed stack', () => {
      const interpreter = new Interpreter([ldx(8, 0, 10, -8), st(8, 10, -8, 9), exit()]);
      expect(interpreter.run(new Uint8Array(0)).r0).toBe(0n);
      expect(interpreter.run(new Uint8Array(0)).r0).toBe(0n);
    });
  });
});
