import { asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { conformanceHelpers } from '../conformance/helpers.js';
import { HelperRegistry } from '../interp/registry.js';
import { INLINE_ENTRY_MAX_INSNS, compile } from './compile.js';
import { JitExecutionError, JitProgram } from './runtime.js';

/**
 * run_batch when a run ends in JavaScript: a helper calling env.exit throws through the whole
 * wasm batch; JitProgram.runBatch stores that run's r0 and resumes after it (module global
 * batch_at). The suite's helper 5 ends the run with r0 = 0 when its r1 is 0.
 */
const FP = 0x3000n;
const CTX = 0x4000;
const OUT = 0x8000;

function batchOf(program: ReturnType<typeof asm>, contexts: readonly number[], helpers: HelperRegistry = conformanceHelpers()): { results: bigint[]; jit: JitProgram } {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const view = new DataView(memory.buffer);
  contexts.forEach((value, i) => view.setUint32(CTX + 8 * i, value, true));
  for (let i = 0; i < contexts.length; i++) view.setBigUint64(OUT + 8 * i, 0xdeadn, true);
  const jit = new JitProgram(compile(program), { memory, helpers });
  jit.runBatch(CTX, 8, contexts.length, OUT, FP);
  return { results: contexts.map((_, i) => view.getBigUint64(OUT + 8 * i, true)), jit };
}

/** r0 = 100 + unwind(*ctx): a context holding 0 ends its run in the helper with r0 = 0. */
const UNWIND_OR_ADD = asm`
  r1 = *(u32 *)(r1 + 0)
  call 5
  r0 += 100
  exit`;

describe('jit run_batch and helpers that end a run', () => {
  it('a run ended by env.exit stores its r0 and the batch goes on with the next context', () => {
    expect(batchOf(UNWIND_OR_ADD, [3, 0, 5, 0, 0, 7]).results).toEqual([103n, 0n, 105n, 0n, 0n, 107n]);
    expect(batchOf(UNWIND_OR_ADD, [0, 1]).results).toEqual([0n, 101n]);
    expect(batchOf(UNWIND_OR_ADD, [1, 0]).results).toEqual([101n, 0n]);
  });

  it('the same from a bpf-to-bpf callee and from an entry too large to inline into run_batch', () => {
    const nested = asm`
      r1 = *(u32 *)(r1 + 0)
      call sub
      r0 += 100
      exit
      sub:
      call 5
      r0 += 10
      exit`;
    expect(batchOf(nested, [0, 2, 0]).results).toEqual([0n, 112n, 0n]);
    const lines = ['r1 = *(u32 *)(r1 + 0)', 'call 5', ...Array.from({ length: INLINE_ENTRY_MAX_INSNS }, () => 'r0 += 1'), 'exit'];
    const large = asm`${lines.join('\n')}`;
    expect(compile(large).wat()).toMatch(/call \$main/);
    const n = BigInt(INLINE_ENTRY_MAX_INSNS);
    expect(batchOf(large, [4, 0, 6]).results).toEqual([4n + n, 0n, 6n + n]);
  });

  it('env.exit with any r0, from every context of a batch', () => {
    const helpers = new HelperRegistry().register(1, 'exit with r1', ([r1], env) => env.exit(r1 * 3n));
    const program = asm`
      r1 = *(u32 *)(r1 + 0)
      call 1
      r0 = 1
      exit`;
    expect(batchOf(program, [1, 2, 3, 4], helpers).results).toEqual([3n, 6n, 9n, 12n]);
  });

  it('a program that calls no helper has no batch_at; one that does exports it', () => {
    expect(compile(asm`r0 = 0\nexit`).wat()).not.toMatch(/batch_at/);
    expect(compile(UNWIND_OR_ADD).wat()).toMatch(/\(export "batch_at" \(global \$batch_at\)\)/);
  });

  it('a trap or a failing helper stops the batch naming the context; the results before it are stored', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const view = new DataView(memory.buffer);
    [1, 2, 0xffff_fff0, 4].forEach((v, i) => view.setUint32(CTX + 8 * i, v, true));
    const trap = new JitProgram(compile(asm`
      r1 = *(u32 *)(r1 + 0)
      call 5
      r0 = *(u8 *)(r1 + 0)
      exit`), { memory, helpers: conformanceHelpers() });
    expect(() => trap.runBatch(CTX, 8, 4, OUT, FP)).toThrow(JitExecutionError);
    expect(() => trap.runBatch(CTX, 8, 4, OUT, FP)).toThrow(/wasm trap: memory access out of bounds \(batch context 2\)/);
    expect(view.getBigUint64(OUT + 8, true)).toBe(BigInt(new Uint8Array(memory.buffer)[2]!));
    const helpers = new HelperRegistry().register(1, 'fails on 3', ([r1]) => {
      if (r1 === 3n) throw new Error('three');
      return r1;
    });
    const failing = new JitProgram(compile(asm`
      r1 = *(u32 *)(r1 + 0)
      call 1
      exit`), { memory, helpers });
    [1, 2, 3].forEach((v, i) => view.setUint32(CTX + 8 * i, v, true));
    expect(() => failing.runBatch(CTX, 8, 3, OUT, FP)).toThrow(/^run: fails on 3 failed: three \(batch context 2\)$/);
  });
});
