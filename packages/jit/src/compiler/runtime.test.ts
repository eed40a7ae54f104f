import { asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { HelperRegistry } from '../interp/registry.js';
import { INLINE_ENTRY_MAX_INSNS, compile } from './compile.js';
import { JitCompileError } from './errors.js';
import { JitExecutionError, JitProgram } from './runtime.js';

const FP = 0x3000n;
const newMemory = (): WebAssembly.Memory => new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });

describe('jit runtime', () => {
  it('run_batch runs the entry once per context inside wasm and stores every r0', () => {
    // r0 = *(u32 *)(ctx + 0) * 2 + 1
    const program = asm`
      r0 = *(u32 *)(r1 + 0)
      r0 *= 2
      r0 += 1
      exit`;
    const memory = newMemory();
    const view = new DataView(memory.buffer);
    for (let i = 0; i < 100; i++) view.setUint32(0x4000 + i * 16, i, true);
    const jit = new JitProgram(compile(program), { memory });
    jit.runBatch(0x4000, 16, 100, 0x8000, FP);
    const results = Array.from({ length: 100 }, (_, i) => view.getBigUint64(0x8000 + i * 8, true));
    expect(results).toEqual(Array.from({ length: 100 }, (_, i) => BigInt(i * 2 + 1)));
  });

  it('run_batch leaves each run from anywhere: nested exits, LD_ABS past the packet, the dispatch loop, a call', () => {
    const memory = newMemory();
    const view = new DataView(memory.buffer);
    const batch = (jit: JitProgram, count: number): bigint[] => {
      jit.runBatch(0x4000, 16, count, 0x8000, FP);
      return Array.from({ length: count }, (_, i) => view.getBigUint64(0x8000 + i * 8, true));
    };
    for (let i = 0; i < 8; i++) view.setUint32(0x4000 + i * 16, i, true);
    // Exits from inside a loop and from an if, and at the end.
    const nested = asm`
      r2 = *(u32 *)(r1 + 0)
      r0 = 0
      loop:
      if r0 == r2 goto found
      r0 += 1
      if r0 < 5 goto loop
      r0 = 100
      exit
      found:
      if r2 == 3 goto three
      r0 += 10
      exit
      three:
      r0 = 33
      exit`;
    expect(batch(new JitProgram(compile(nested), { memory }), 8)).toEqual([10n, 11n, 12n, 33n, 14n, 100n, 100n, 100n]);
    // LD_ABS past the packet ends that run with r0 = 0; the next runs go on.
    const packet = (ctx: bigint) => new Uint8Array(Number(ctx - 0x4000n) / 16 + 1).fill(7);
    const ldAbs = asm`
      r6 = r1
      r0 = *(u8 *)skb[2]
      r0 += 1
      exit`;
    expect(batch(new JitProgram(compile(ldAbs), { memory, packet }), 5)).toEqual([0n, 0n, 8n, 8n, 8n]);
    // An irreducible entry (the dispatch loop).
    const irreducible = asm`
      r2 = *(u32 *)(r1 + 0)
      r0 = 0
      if r2 == 0 goto second
      first:
      r0 += 1
      if r0 s> 5 goto done
      second:
      r0 += 2
      goto first
      done:
      exit`;
    const dispatch = compile(irreducible);
    expect(dispatch.stats.structured).toBe(false);
    const single = new JitProgram(dispatch, { memory });
    const expected = [0, 1, 2].map((i) => single.run([0x4000n + BigInt(16 * i)], FP));
    expect(batch(new JitProgram(dispatch, { memory }), 3)).toEqual(expected);
    // A bpf-to-bpf call from the inlined entry.
    const call = asm`
      r1 = *(u32 *)(r1 + 0)
      call twice
      r0 += 1
      exit
      twice:
      r0 = r1
      r0 += r1
      exit`;
    expect(batch(new JitProgram(compile(call), { memory }), 4)).toEqual([1n, 3n, 5n, 7n]);
  });

  it('run_batch calls a large entry instead of inlining it', () => {
    const memory = newMemory();
    const view = new DataView(memory.buffer);
    const lines = ['r0 = *(u32 *)(r1 + 0)', ...Array.from({ length: INLINE_ENTRY_MAX_INSNS }, () => 'r0 += 1'), 'exit'];
    const compiled = compile(asm`${lines.join('\n')}`);
    expect(compiled.wat()).toMatch(/call \$main/);
    for (let i = 0; i < 3; i++) view.setUint32(0x4000 + i * 8, i, true);
    new JitProgram(compiled, { memory }).runBatch(0x4000, 8, 3, 0x8000, FP);
    const n = BigInt(INLINE_ENTRY_MAX_INSNS);
    expect([0, 1, 2].map((i) => view.getBigUint64(0x8000 + i * 8, true))).toEqual([n, n + 1n, n + 2n]);
  });

  it('run_batch runs a tail call to the end of that run', () => {
    const memory = newMemory();
    const view = new DataView(memory.buffer);
    const programs = new WebAssembly.Table({ initial: 4, element: 'anyfunc' });
    const target = new JitProgram(compile(asm`
      r0 = *(u32 *)(r1 + 0)
      r0 += 1000
      exit`), { memory });
    programs.set(1, target.entry as never);
    const caller = new JitProgram(
      compile(asm`
        r6 = *(u32 *)(r1 + 0)
        r3 = r6
        call 12
        r0 = r6
        exit`),
      { memory, programs, tailCall: ({ index }) => (index % 2n === 1n ? 1 : undefined) },
    );
    for (let i = 0; i < 4; i++) view.setUint32(0x4000 + i * 8, i, true);
    caller.runBatch(0x4000, 8, 4, 0x8000, FP);
    expect(Array.from({ length: 4 }, (_, i) => view.getBigUint64(0x8000 + i * 8, true))).toEqual([0n, 1001n, 2n, 1003n]);
  });

  it('a tail call jumps through the shared program table and does not come back', () => {
    const memory = newMemory();
    const programs = new WebAssembly.Table({ initial: 4, element: 'anyfunc' });
    const target = new JitProgram(compile(asm`
      r0 = r1
      r0 += 1000
      exit`), { memory });
    programs.set(2, target.entry as never);
    const calls: bigint[] = [];
    const caller = new JitProgram(
      compile(asm`
        r6 = r1
        r2 = 0
        r3 = 2
        call 12
        r0 = 7
        exit`),
      {
        memory,
        programs,
        tailCall: ({ index }) => {
          calls.push(index);
          return index === 2n ? 2 : undefined;
        },
      },
    );
    expect(caller.run([5n], FP)).toBe(1005n);
    expect(calls).toEqual([2n]);
  });

  it('an empty tail-call slot falls through to the next instruction', () => {
    const memory = newMemory();
    const programs = new WebAssembly.Table({ initial: 1, element: 'anyfunc' });
    const caller = new JitProgram(compile(asm`
      r3 = 9
      call 12
      r0 = 7
      exit`), { memory, programs, tailCall: () => undefined });
    expect(caller.run([0n], FP)).toBe(7n);
  });

  it('callx calls a bpf function by the address lddw loaded, or a helper by id', () => {
    const helpers = new HelperRegistry().register(5, 'double', ([a]) => a * 2n);
    const program = asm`
      ld_pseudo r2, 4, f
      r1 = 20
      callx r2
      r6 = r0
      r2 = 5
      r1 = 100
      callx r2
      r0 += r6
      exit
      f: r0 = r1
      r0 += 1
      exit`;
    expect(new JitProgram(compile(program), { memory: newMemory(), helpers }).run([], FP)).toBe(221n);
  });

  it('callFunction calls a bpf function by its address outside a run, on a fresh frame at fp', () => {
    const memory = newMemory();
    // The entry returns f's address (its callx gives the module the dispatcher); f adds r1 and r2
    // through its stack and stores its r10 at r3.
    const program = asm`
      ld_pseudo r0, 4, f
      if r1 == 0 goto out
      callx r0
      out: exit
      f: r0 = r1
      r0 += r2
      *(u64 *)(r10 - 8) = r0
      r0 = *(u64 *)(r10 - 8)
      *(u64 *)(r3 + 0) = r10
      exit`;
    const jit = new JitProgram(compile(program), { memory });
    const address = jit.run([0n], FP);
    expect(jit.callFunction(address, [30n, 12n, 0x5000n], FP)).toBe(42n);
    // The function's frame is the one below fp, as for a call from the entry.
    expect(new DataView(memory.buffer).getBigUint64(0x5000, true)).toBe(FP - 512n);
    expect(() => new JitProgram(compile(asm`r0 = 0\nexit`), { memory }).callFunction(address, [], FP)).toThrow(JitExecutionError);
  });

  it('LD_ABS reads the packet big-endian and ends the program with 0 past its end', () => {
    const packet = new Uint8Array([0x11, 0x22, 0x33, 0x44, 0x55]);
    const jit = (text: string) => new JitProgram(compile(asm`${text}`), { memory: newMemory(), packet }).run([0n], FP);
    expect(jit('r6 = r1\nr0 = *(u16 *)skb[1]\nexit')).toBe(0x2233n);
    expect(jit('r6 = r1\nr7 = 1\nr0 = *(u32 *)skb[r7 + 1]\nr0 = 9\nexit')).toBe(0n);
  });

  it('a helper that stops the program ends it at once with its r0', () => {
    const helpers = new HelperRegistry().register(1, 'stop', (_args, env) => env.exit(77n));
    expect(new JitProgram(compile(asm`call 1\nr0 = 1\nexit`), { memory: newMemory(), helpers }).run([], FP)).toBe(77n);
  });

  it('helpers read and write the kernel memory through the same AddressSpace API as in the interpreter', () => {
    const helpers = new HelperRegistry().register(2, 'poke', ([addr], env) => {
      env.memory.store(addr, 4, 0xabcdn);
      return env.memory.load(addr, 4);
    });
    const program = asm`
      r1 = r10
      r1 += -8
      call 2
      r0 = *(u32 *)(r10 - 8)
      exit`;
    expect(new JitProgram(compile(program), { memory: newMemory(), helpers }).run([], FP)).toBe(0xabcdn);
  });

  it('the safety net: an access outside the kernel memory traps instead of touching the host', () => {
    const jit = new JitProgram(compile(asm`r0 = *(u64 *)(r1 + 0)\nexit`), { memory: newMemory() });
    expect(() => jit.run([0x10000n - 4n], FP)).toThrow(JitExecutionError);
    expect(() => jit.run([0x10000n - 4n], FP)).toThrow(/wasm trap: memory access out of bounds/);
  });

  it('a pseudo lddw without a resolver is a compile error naming the instruction', () => {
    expect(() => compile(asm`ld_pseudo r1, 1, 3\nr0 = 0\nexit`)).toThrow(JitCompileError);
    expect(() => compile(asm`r0 = 0\nld_pseudo r1, 1, 3\nexit`)).toThrow(/jit: instruction 1: lddw with pseudo source 1 needs a resolver/);
  });

  it('resolves map pointers through the embedder at compile time', () => {
    const compiled = compile(asm`ld_pseudo r0, 1, 3\nexit`, { resolveLdImm64: ({ insn }) => 0x5000n + BigInt(insn.imm) });
    expect(new JitProgram(compiled, { memory: newMemory() }).run([], FP)).toBe(0x5003n);
  });
});
