import { asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { buildProgramCfg } from './cfg.js';
import { compile } from './compile.js';
import { PROBE_NULL_GUARD } from './codegen.js';
import { JitExecutionError, JitProgram } from './runtime.js';
import { MEMSUM } from '../testing/memsum.js';
import { vectorizeLoops } from './vectorize.js';

/** Two pages: the NULL guard's page, then one holding a struct at 0x10000. */
const memory = (): WebAssembly.Memory => {
  const m = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
  const view = new DataView(m.buffer);
  view.setUint32(0x10000 + 8, 4242, true);
  view.setInt8(0x10000 + 12, -3);
  return m;
};
const FP = 0x1f000n;

// r0 = *(u32 *)(r1 + 8) + *(s8 *)(r1 + 12): both loads through the struct pointer r1.
const program = asm`
  r0 = *(u32 *)(r1 + 8)
  r2 = *(s8 *)(r1 + 12)
  r0 += r2
  exit`;

describe('jit probe loads (BPF_PROBE_MEM)', () => {
  it.each([
    ['a valid struct', 0x10000n, 4239n],
    ['NULL', 0n, 0n],
    ['NULL plus an offset inside the guard', BigInt(PROBE_NULL_GUARD - 16), 0n],
    ['an address past the memory', 0x20000n - 9n, 0n],
    ['a huge address', 0xffff_8880_0000_0000n, 0n],
    ['an address whose offset wraps around 2^64', 0xffff_ffff_ffff_fffcn, 0n],
  ])('jit probe loads - %s reads as the kernel would (fault: 0)', (_title, r1, r0) => {
    const jit = new JitProgram(compile(program, { probeLoads: [0, 1] }), { memory: memory() });
    expect(BigInt.asIntN(64, jit.run([r1], FP))).toBe(r0);
  });

  it('jit probe loads - the same loads without probeLoads trap past the memory', () => {
    const jit = new JitProgram(compile(program), { memory: memory() });
    expect(() => jit.run([0x20000n - 9n], FP)).toThrow(JitExecutionError);
  });

  // memsum; instruction 5 is the load (src/differential/probe-fixture.test.ts runs it).
  const sum = MEMSUM;

  it('jit probe loads - a reduction loop through a probe load is not vectorized (its vector part has no NULL guard)', () => {
    const fn = buildProgramCfg(sum).functions[0]!;
    const vectorBlocks = (probeLoads?: Set<number>): number => vectorizeLoops(fn, sum, probeLoads).blocks.filter((b) => b.vector).length;
    expect(vectorBlocks()).toBe(1);
    expect(vectorBlocks(new Set([5]))).toBe(0);
    expect(compile(sum).stats.vectorizedLoops).toBe(1);
    expect(compile(sum, { probeLoads: [5] }).stats.vectorizedLoops).toBe(0);
  });

  it('jit probe loads - a reduction loop from NULL reads 0 in the guard page, whatever the page holds', () => {
    const m = memory();
    new Uint8Array(m.buffer).fill(0x11, 0, 0x10000);
    const jit = new JitProgram(compile(sum, { probeLoads: [5] }), { memory: m });
    expect(jit.run([0n, 8n * 64n], FP)).toBe(0n);
  });
});
