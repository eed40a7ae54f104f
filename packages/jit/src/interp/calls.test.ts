import { type Instruction, asm, assemble } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { runProgram } from '../testing/run.js';
import { CallDepthError, CallError, MemoryAccessError } from './errors.js';
import { Interpreter } from './interpreter.js';
import { INPUT_BASE, functionAddress } from './layout.js';
import { MAX_CALL_FRAMES } from './limits.js';
import { HelperRegistry, KfuncRegistry } from './registry.js';

/** `calls` nested bpf-to-bpf calls: each function calls the next; the last returns 7. */
function callChain(calls: number): Instruction[] {
  const links = Array.from({ length: calls }, (_, i) => `f${i}: call f${i + 1}\nexit`);
  return assemble([...links, `f${calls}: r0 = 7`, 'exit'].join('\n'));
}

/** A helper call followed by exit. */
const callHelper = (id: number): Instruction[] => asm`
  call ${id}
  exit`;

describe('interp bpf-to-bpf calls', () => {
  it('interp - r1..r5 reach the callee and r0 comes back', () => {
    const program = asm`
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call sum
        exit
      sum:
        r0 = r1
        r0 += r2
        r0 += r3
        r0 += r4
        r0 += r5
        exit`;
    expect(runProgram(program).r0).toBe(15n);
  });

  it('interp - r6..r9 are restored when the callee returns', () => {
    const program = asm`
        r6 = 6
        r7 = 7
        r8 = 8
        r9 = 9
        call clobber
        r0 += r6
        r0 += r7
        r0 += r8
        r0 += r9
        exit
      clobber:
        r6 = 0
        r7 = 0
        r8 = 0
        r9 = 0
        r0 = 100
        exit`;
    expect(runProgram(program).r0).toBe(130n);
  });

  it(`interp - a chain of ${MAX_CALL_FRAMES} frames runs`, () => {
    expect(runProgram(callChain(MAX_CALL_FRAMES - 1)).r0).toBe(7n);
  });

  it(`interp - a call that would open frame ${MAX_CALL_FRAMES + 1} fails with CallDepthError`, () => {
    const run = (): unknown => runProgram(callChain(MAX_CALL_FRAMES));
    expect(run).toThrow(CallDepthError);
    expect(run).toThrow(`run: call depth exceeded: at most 8 frames at instruction ${2 * (MAX_CALL_FRAMES - 1)}`);
  });

  it('interp - unbounded recursion fails with CallDepthError, not a hang', () => {
    const program = asm`
      self: call self
      exit`;
    expect(() => runProgram(program)).toThrow(CallDepthError);
  });
});

describe('interp helpers and kfuncs', () => {
  const helpers = (): HelperRegistry =>
    new HelperRegistry()
      .register(1, 'sum', ([a, b, c, d, e]) => a + b + c + d + e)
      .register(2, 'boom', () => {
        throw new Error('nope');
      })
      .register(3, 'numeric', () => 1 as unknown as bigint)
      .register(4, 'peek', ([p], env) => env.memory.load(p, 8))
      .register(6, 'minus one', () => -1n);

  it('interp - a helper gets r1..r5 and sets r0', () => {
    const program = asm`
      r1 = 1
      r2 = 2
      r3 = 3
      r4 = 4
      r5 = 5
      call 1
      exit`;
    expect(runProgram(program, { helpers: helpers() }).r0).toBe(15n);
  });

  it('interp - a helper result is wrapped to 64 bits', () => {
    expect(runProgram(callHelper(6), { helpers: helpers() }).r0).toBe(0xffff_ffff_ffff_ffffn);
  });

  it.each([
    ['an unknown helper', 9, 'run: unknown helper 9 at instruction 0'],
    ['a helper that throws', 2, 'run: helper 2 (boom) threw: nope at instruction 0'],
    ['a helper that returns a number', 3, 'run: helper 3 (numeric) returned number, not a bigint at instruction 0'],
  ])('interp - %s stops the run with CallError', (_title, id, message) => {
    const run = (): unknown => runProgram(callHelper(id), { helpers: helpers() });
    expect(run).toThrow(CallError);
    expect(run).toThrow(message);
  });

  it('interp - a helper memory access is checked and reported at the call', () => {
    expect(runProgram(callHelper(4), { helpers: helpers() }, new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0])).r0).toBe(9n);
    const program = asm`
      r1 = 0
      call 4
      exit`;
    const run = (): unknown => runProgram(program, { helpers: helpers() });
    expect(run).toThrow(MemoryAccessError);
    expect(run).toThrow('8-byte load at 0x0 (input - 4294967296) at instruction 1');
  });

  it('interp - helpers see the run data', () => {
    const registry = new HelperRegistry().register(1, 'data', (_args, env) => env.data as bigint);
    expect(new Interpreter(callHelper(1), { helpers: registry }).run(new Uint8Array(0), { data: 77n }).r0).toBe(77n);
  });

  it('interp - kfuncs are found by BTF id and BTF object', () => {
    const kfuncs = new KfuncRegistry()
      .register(1000, 'vmlinux_fn', () => 1n)
      .register(1000, 'module_fn', () => 2n, 1);
    const call = (text: string): Instruction[] => asm`
      ${text}
      exit`;
    expect(runProgram(call('call kfunc#1000'), { kfuncs }).r0).toBe(1n);
    expect(runProgram(call('call kfunc#1000 (fd_array[1])'), { kfuncs }).r0).toBe(2n);
    expect(() => runProgram(call('call kfunc#1001 (fd_array[2])'), { kfuncs })).toThrow(
      'unknown kfunc: BTF id 1001 of BTF object 2',
    );
  });
});

describe('interp callx', () => {
  it('interp - callx with a function address makes a bpf-to-bpf call', () => {
    // Like Linux, the target is the lddw's slot + 1 + imm: slot 0 + 1 + 3 = slot 4 (lddw takes two).
    const program = asm`
      ld_pseudo r2, 4, 3   // BPF_PSEUDO_FUNC: the function at slot 4
      callx r2
      exit
      r0 = 77
      exit`;
    const interpreter = new Interpreter(program);
    expect(interpreter.program.constant(0)).toBe(functionAddress(4));
    expect(interpreter.run(new Uint8Array(0)).r0).toBe(77n);
  });

  it('interp - callx with a helper id calls that helper', () => {
    const helpers = new HelperRegistry().register(5, 'five', ([a]) => a + 1n);
    const program = asm`
      r1 = 41
      r2 = 5
      callx r2
      exit`;
    expect(runProgram(program, { helpers }).r0).toBe(42n);
  });

  it.each([
    ['an unregistered helper id', 5n, 'run: callx: r2 = 0x5 is neither a function address nor a helper id at instruction 1'],
    ['a data pointer', INPUT_BASE, 'callx: r2 = 0x100000000 is neither'],
    ['the middle of a lddw', functionAddress(1), 'is neither a function address'],
  ])('interp - callx with %s stops the run', (_title, value, message) => {
    const program = asm`
      r2 = 0x${value.toString(16)} ll
      callx r2
      exit`;
    expect(() => runProgram(program)).toThrow(message);
  });

  it('interp - a helper calls a bpf function like bpf_loop does', () => {
    const helpers = new HelperRegistry().register(181, 'loop', ([count, fn], env) => {
      let sum = 0n;
      for (let i = 0n; i < count; i++) sum += env.callFunction(fn, [i]);
      return sum;
    });
    const program = asm`
      r6 = 1000
      r1 = 4
      ld_pseudo r2, 4, 4   // slots 2-3, the function at slot 2 + 1 + 4 = slot 7
      call 181
      r0 += r6             // r6 survives the callbacks
      exit
      r6 = 0               // slot 7: the callback, r0 = r1 * r1
      r0 = r1
      r0 *= r0
      exit`;
    expect(runProgram(program, { helpers }).r0).toBe(1000n + 0n + 1n + 4n + 9n);
  });
});

describe('interp tail calls', () => {
  it('interp - a tail call runs the target in place of the caller', () => {
    const target = new Interpreter(asm`
      r0 = 42
      exit`);
    const program = asm`
      r2 = 9
      r3 = 1
      call 12   // bpf_tail_call(ctx, map 9, index 1)
      r0 = 7
      exit`;
    const caller = new Interpreter(program, {
      tailCall: ({ map, index }) => (map === 9n && index === 1n ? target : undefined),
    });
    expect(caller.run(new Uint8Array(0)).r0).toBe(42n);
  });

  it('interp - a tail call to an empty slot falls through', () => {
    const program = asm`
      r3 = 2
      call 12
      r0 = 7
      exit`;
    const caller = new Interpreter(program, { tailCall: () => undefined });
    expect(caller.run(new Uint8Array(0)).r0).toBe(7n);
  });

  it('interp - a tail-called program returns to the caller of the frame that tail-called', () => {
    const target = new Interpreter(asm`
      r0 = 40
      exit`);
    const program = asm`
        call f
        r0 += 2
        exit
      f:
        call 12
        r0 = 0
        exit`;
    expect(new Interpreter(program, { tailCall: () => target }).run(new Uint8Array(0)).r0).toBe(42n);
  });

  it('interp - at most 33 tail calls are made in one run', () => {
    // Counts its runs in the first input word, then tail-calls itself.
    const body = asm`
      r0 = *(u64 *)(r1 + 0)
      r0 += 1
      *(u64 *)(r1 + 0) = r0
      call 12
      r0 = *(u64 *)(r1 + 0)
      exit`;
    const self: Interpreter = new Interpreter(body, { tailCall: () => self });
    expect(self.run(new Uint8Array(8)).r0).toBe(34n);
  });
});
