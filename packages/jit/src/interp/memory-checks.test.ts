import { asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
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
    const program = asm`
      r0 = 0
      r0 = *(u64 *)(r10 + 8)
      exit`;
    const error = catchError(() => runProgram(program));
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
    ['a store below the stack', '*(u64 *)(r10 - 520) = 1', '8-byte store at 0x7feffffffff8 (stack frame 0 - 8)'],
    ['a load straddling the input end', 'w0 = *(u32 *)(r1 + 6)', '4-byte load at 0x100000006 (input + 6)'],
    ['a load through a null pointer', 'r1 = 0\nw0 = *(u8 *)(r1 + 0)', '1-byte load at 0x0 (input - 4294967296)'],
    ['an atomic past the input', 'lock *(u64 *)(r1 + 8) += r1', '8-byte atomic at 0x100000008 (input + 8)'],
  ])('interp - %s is rejected', (_title, body, message) => {
    const program = asm`
      ${body}
      exit`;
    expect(() => runProgram(program, {}, new Uint8Array(8))).toThrow(message);
  });

  it('interp - the whole stack, r10-512 to r10-1, is usable', () => {
    const program = asm`
      *(u64 *)(r10 - 512) = 3
      *(u8 *)(r10 - 1) = 4
      r0 = *(u64 *)(r10 - 512)
      w2 = *(u8 *)(r10 - 1)
      r0 += r2
      exit`;
    expect(runProgram(program).r0).toBe(7n);
  });

  describe('read-only regions', () => {
    const ctx = (): Region => ({ name: 'ctx', base: 0x1000n, bytes: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), writable: false });

    it('interp - a load from a read-only region works', () => {
      const program = asm`
        w0 = *(u16 *)(r1 + 2)
        exit`;
      const result = new Interpreter(program).execute({ memory: new AddressSpace([ctx()]), args: [0x1000n] });
      expect(result.r0).toBe(0x0403n);
    });

    it.each([
      ['a store', '*(u64 *)(r1 + 0) = r1', 'run: read-only: 8-byte store at 0x1000 (ctx + 0) at instruction 0'],
      ['an immediate store', '*(u8 *)(r1 + 7) = 0', 'run: read-only: 1-byte store at 0x1007 (ctx + 7) at instruction 0'],
      ['an atomic', 'lock *(u32 *)(r1 + 4) += w1', 'run: read-only: 4-byte atomic at 0x1004 (ctx + 4) at instruction 0'],
    ])('interp - %s into a read-only region is rejected', (_title, store, message) => {
      const program = asm`
        ${store}
        exit`;
      const run = (): unknown => new Interpreter(program).execute({ memory: new AddressSpace([ctx()]), args: [0x1000n] });
      expect(run).toThrow(MemoryAccessError);
      expect(run).toThrow(message);
    });
  });

  describe('stack isolation between frames', () => {
    it('interp - a callee writes its own stack, not its caller', () => {
      const program = asm`
          *(u64 *)(r10 - 8) = 1
          call callee
          r0 = *(u64 *)(r10 - 8)
          exit
        callee:
          *(u64 *)(r10 - 8) = 2
          exit`;
      expect(runProgram(program).r0).toBe(1n);
    });

    it('interp - a callee reaches its caller stack through a pointer it was given', () => {
      const program = asm`
          *(u64 *)(r10 - 8) = 1
          r1 = r10
          r1 += -8
          call callee
          r0 = *(u64 *)(r10 - 8)
          exit
        callee:
          *(u64 *)(r1 + 0) = 42
          exit`;
      expect(runProgram(program).r0).toBe(42n);
    });

    it('interp - each frame has its own frame pointer, restored on return', () => {
      const program = asm`
          call callee
          r1 = r10
          exit
        callee:
          r0 = r10
          exit`;
      const seen: bigint[] = [];
      const result = runProgram(program, { trace: (e) => e.insnIndex === 2 && seen.push(e.registers[1]!) });
      expect(result.r0).toBe(stackTop(1));
      expect(seen).toEqual([stackTop(0)]);
    });

    it("interp - a callee cannot run past its stack into its caller's", () => {
      const program = asm`
          call callee
          exit
        callee:
          r0 = *(u64 *)(r10 + 0)
          exit`;
      expect(() => runProgram(program)).toThrow('8-byte load at 0x7ff000010200 (stack frame 1 + 512) at instruction 2');
    });

    it('interp - stacks are unmapped after the run, also after a failure', () => {
      const memory = new AddressSpace();
      const fine = asm`
          call callee
          exit
        callee:
          exit`;
      const failing = asm`
          call callee
          exit
        callee:
          r0 = *(u64 *)(r10 + 0)
          exit`;
      new Interpreter(fine).execute({ memory });
      expect(memory.regions).toEqual([]);
      expect(() => new Interpreter(failing).execute({ memory })).toThrow();
      expect(memory.regions).toEqual([]);
    });

    it('interp - every run starts with a zeroed stack', () => {
      const interpreter = new Interpreter(asm`
        r0 = *(u64 *)(r10 - 8)
        *(u64 *)(r10 - 8) = 9
        exit`);
      expect(interpreter.run(new Uint8Array(0)).r0).toBe(0n);
      expect(interpreter.run(new Uint8Array(0)).r0).toBe(0n);
    });
  });
});
