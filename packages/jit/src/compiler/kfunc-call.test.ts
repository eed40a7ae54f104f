import { assemble } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { KfuncRegistry } from '../interp/registry.js';
import { runProgram } from '../testing/run.js';
import { compile } from './compile.js';
import { JitProgram } from './runtime.js';

const FP = 0x3000n;

/**
 * Kernel function calls (`call` src_reg 2, imm the BTF id): compiled as imports keyed by BTF
 * object and id, served by the kfunc registry with r1..r5, as the interpreter serves them.
 */
describe('jit kfunc calls', () => {
  const kfuncs = new KfuncRegistry()
    .register(71, 'double_it', ([a]) => a * 2n)
    .register(72, 'sum3', ([a, b, c]) => a + b + c);
  const program = assemble(`
    r1 = 20
    call kfunc#71
    r1 = r0
    r2 = 1
    r3 = 1
    call kfunc#72
    exit`);

  it('jit kfunc - a compiled program calls kfuncs by BTF id with r1..r5, and agrees with the interpreter', () => {
    const compiled = compile(program);
    expect(compiled.needs.kfuncs).toEqual(['0:71', '0:72']);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const jit = new JitProgram(compiled, { memory, kfuncs });
    expect(jit.run([0n], FP)).toBe(42n);
    expect(runProgram(program, { kfuncs }).r0).toBe(42n);
  });

  it('jit kfunc - a call to a kfunc the registry lacks stops the run, naming it', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const jit = new JitProgram(compile(program), { memory, kfuncs: new KfuncRegistry().register(71, 'double_it', ([a]) => a) });
    expect(() => jit.run([0n], FP)).toThrow('kfunc 72 (BTF object 0) is not available');
  });
});
