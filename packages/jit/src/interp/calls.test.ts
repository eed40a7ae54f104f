import { AluOp, type Instruction } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { add64, alu64, call, callKfunc, callLocal, callx, exit, lddw, ldx, mov64, r, stx } from '../testing/dsl.js';
import { runProgram } from '../testing/run.js';
import { CallDepthError, CallError, MemoryAccessError } from './errors.js';
import { Interpreter } from './interpreter.js';
import { INPUT_BASE, functionAddress } from './layout.js';
import { MAX_CALL_FRAMES } from './limits.js';
import { HelperRegistry, KfuncRegistry } from './registry.js';

/** `calls` nested bpf-to-bpf calls: each function calls the next; the last returns 7. */
function callChain(calls: number): Instruction[] {
  const program: Instruction[] = [];
  for (let i = 0; i < calls; i++) program.push(callLocal(1), exit());
  return [...program, mov64(0, 7), exit()];
}

const FUNC = 4; // lddw src: function address

describe('interp bpf-to-bpf calls', () => {
  it('interp - r1..r5 reach the callee and r0 comes back', () => {
    const program = [mov64(1, 1), mov64(2, 2), mov64(3, 3), mov64(4, 4), mov64(5, 5), callLocal(1), exit()];
    program.push(mov64(0, r(1)), add64(0, r(2)), add64(0, r(3)), add64(0, r(4)), add64(0, r(5)), exit());
    expect(runProgram(program).r0).toBe(15n);
  });

  it('interp - r6..r9 are restored when the callee returns', () => {
    const main = [mov64(6, 6), mov64(7, 7), mov64(8, 8), mov64(9, 9), callLocal(5)];
    const sum = [add64(0, r(6)), add64(0, r(7)), add64(0, r(8)), add64(0, r(9)), exit()];
    const callee = [mov64(6, 0), mov64(7, 0), mov64(8, 0), mov64(9, 0), mov64(0, 100), exit()];
    expect(runProgram([...main, ...sum, ...callee]).r0).toBe(130n);
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
    expect(() => runProgram([callLocal(-1), exit()])).toThrow(CallDepthError);
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
    const program = [mov64(1, 1), mov64(2, 2), mov64(3, 3), mov64(4, 4), mov64(5, 5), call(1), exit()];
    expect(runProgram(program, { helpers: helpers() }).r0).toBe(15n);
  });

  it('interp - a helper result is wrapped to 64 bits', () => {
    expect(runProgram([call(6), exit()], { helpers: helpers() }).r0).toBe(0xffff_ffff_ffff_ffffn);
  });

  it.each([
    ['an unknown helper', 9, 'run: unknown helper 9 at instruction 0'],
    ['a helper that throws', 2, 'run: helper 2 (boom) threw: nope at instruction 0'],
    ['a helper that returns a number', 3, 'run: helper 3 (numeric) returned number, not a bigint at instruction 0'],
  ])('interp - %s stops the run with CallError', (_title, id, message) => {
    const run = (): unknown => runProgram([call(id), exit()], { helpers: helpers() });
    expect(run).toThrow(CallError);
    expect(run).toThrow(message);
  });

  it('interp - a helper memory access is checked and reported at the call', () => {
    expect(runProgram([call(4), exit()], { helpers: helpers() }, new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0])).r0).toBe(9n);
    const run = (): unknown => runProgram([mov64(1, 0), call(4), exit()], { helpers: helpers() });
    expect(run).toThrow(MemoryAccessError);
    expect(run).toThrow('8-byte load at 0x0 (input - 4294967296) at instruction 1');
  });

  it('interp - helpers see the run data', () => {
    const registry = new HelperRegistry().register(1, 'data', (_args, env) => env.data as bigint);
    expect(new Interpreter([call(1), exit()], { helpers: registry }).run(new Uint8Array(0), { data: 77n }).r0).toBe(77n);
  });

  it('interp - kfuncs are found by BTF id and BTF object', () => {
    const kfuncs = new KfuncRegistry()
      .register(1000, 'vmlinux_fn', () => 1n)
      .register(1000, 'module_fn', () => 2n, 1);
    expect(runProgram([callKfunc(1000), exit()], { kfuncs }).r0).toBe(1n);
    expect(runProgram([callKfunc(1000, 1), exit()], { kfuncs }).r0).toBe(2n);
    expect(() => runProgram([callKfunc(1001, 2), exit()], { kfuncs })).toThrow('unknown kfunc: BTF id 1001 of BTF object 2');
  });
});

describe('interp callx', () => {
  it('interp - callx with a function address makes a bpf-to-bpf call', () => {
    // Like Linux, the target is the lddw's slot + 1 + imm: slot 0 + 1 + 3 = slot 4 (lddw takes two).
    const program = [lddw(2, 3n, FUNC), callx(2), exit(), mov64(0, 77), exit()];
    const interpreter = new Interpreter(program);
    expect(interpreter.program.constant(0)).toBe(functionAddress(4));
    expect(interpreter.run(new Uint8Array(0)).r0).toBe(77n);
  });

  it('interp - callx with a helper id calls that helper', () => {
    const helpers = new HelperRegistry().register(5, 'five', ([a]) => a + 1n);
    expect(runProgram([mov64(1, 41), mov64(2, 5), callx(2), exit()], { helpers }).r0).toBe(42n);
  });

  it.each([
    ['an unregistered helper id', 5n, 'run: callx: r2 = 0x5 is neither a function address nor a helper id at instruction 1'],
    ['a data pointer', INPUT_BASE, 'callx: r2 = 0x100000000 is neither'],
    ['the middle of a lddw', functionAddress(1), 'is neither a function address'],
  ])('interp - callx with %s stops the run', (_title, value, message) => {
    expect(() => runProgram([lddw(2, value), callx(2), exit()])).toThrow(message);
  });

  it('interp - a helper calls a bpf function like bpf_loop does', () => {
    const helpers = new HelperRegistry().register(181, 'loop', ([count, fn], env) => {
      let sum = 0n;
      for (let i = 0n; i < count; i++) sum += env.callFunction(fn, [i]);
      return sum;
    });
    const program = [
      mov64(6, 1000),
      mov64(1, 4),
      lddw(2, 4n, FUNC), // slots 2-3 → slot 2 + 1 + 4 = slot 7
      call(181),
      add64(0, r(6)), // r6 survives the callbacks
      exit(),
      mov64(6, 0),
      mov64(0, r(1)),
      alu64(AluOp.MUL, 0, r(0)),
      exit(),
    ];
    expect(runProgram(program, { helpers }).r0).toBe(1000n + 0n + 1n + 4n + 9n);
  });
});

describe('interp tail calls', () => {
  it('interp - a tail call runs the target in place of the caller', () => {
    const target = new Interpreter([mov64(0, 42), exit()]);
    const caller = new Interpreter([mov64(2, 9), mov64(3, 1), call(12), mov64(0, 7), exit()], {
      tailCall: ({ map, index }) => (map === 9n && index === 1n ? target : undefined),
    });
    expect(caller.run(new Uint8Array(0)).r0).toBe(42n);
  });

  it('interp - a tail call to an empty slot falls through', () => {
    const caller = new Interpreter([mov64(3, 2), call(12), mov64(0, 7), exit()], { tailCall: () => undefined });
    expect(caller.run(new Uint8Array(0)).r0).toBe(7n);
  });

  it('interp - a tail-called program returns to the caller of the frame that tail-called', () => {
    const target = new Interpreter([mov64(0, 40), exit()]);
    const program = [callLocal(2), add64(0, 2), exit(), call(12), mov64(0, 0), exit()];
    expect(new Interpreter(program, { tailCall: () => target }).run(new Uint8Array(0)).r0).toBe(42n);
  });

  it('interp - at most 33 tail calls are made in one run', () => {
    // Counts its runs in the first input word, then tail-calls itself.
    const body = [ldx(8, 0, 1, 0), add64(0, 1), stx(8, 1, 0, 0), call(12), ldx(8, 0, 1, 0), exit()];
    const self: Interpreter = new Interpreter(body, { tailCall: () => self });
    expect(self.run(new Uint8Array(8)).r0).toBe(34n);
  });
});
