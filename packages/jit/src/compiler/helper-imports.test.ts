import { HelperId, asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import type { CallArgs } from '../interp/registry.js';
import { HelperRegistry } from '../interp/registry.js';
import { compile } from './compile.js';
import { JitProgram } from './runtime.js';

const FP = 0x3000n;
const newMemory = (): WebAssembly.Memory => new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** r1..r5 set to wide values, then `call id`. */
const callWith = (id: number) => asm`
  r1 = 0x1000
  r2 = 0x100002000 ll
  r3 = 5
  r4 = -1
  r5 = 99
  call ${id}
  exit`;

const run = (id: number, helpers: HelperRegistry, typedHelpers: boolean): bigint =>
  new JitProgram(compile(callWith(id), { typedHelpers }), { memory: newMemory(), helpers }).run([], FP);

describe('jit helper calls: classic and typed ABI', () => {
  it('classic: a helper gets r1..r5 as unsigned 64-bit values, whatever its prototype', () => {
    const seen: CallArgs[] = [];
    const helpers = new HelperRegistry().register(HelperId.map_update_elem, 'bpf_map_update_elem', (args) => (seen.push(args), 7n));
    expect(run(HelperId.map_update_elem, helpers, false)).toBe(7n);
    expect(seen).toEqual([[0x1000n, 0x1_0000_2000n, 5n, U64_MAX, 99n]]);
  });

  it('typed: the prototype arguments only; a pointer of 2^32 or more arrives as 0xffffffff, the rest as 0n', () => {
    const seen: CallArgs[] = [];
    const helpers = new HelperRegistry().register(HelperId.map_update_elem, 'bpf_map_update_elem', (args) => (seen.push(args), -3n));
    expect(run(HelperId.map_update_elem, helpers, true)).toBe(U64_MAX - 2n);
    expect(seen).toEqual([[0x1000n, 0xffff_ffffn, 5n, U64_MAX, 0n]]);
  });

  it('typed: a u32 result keeps its low 32 bits and is zero-extended into r0', () => {
    const helpers = new HelperRegistry().register(HelperId.map_lookup_elem, 'bpf_map_lookup_elem', () => 0x1_8765_4321n);
    expect(run(HelperId.map_lookup_elem, helpers, true)).toBe(0x8765_4321n);
    expect(run(HelperId.map_lookup_elem, helpers, false)).toBe(0x1_8765_4321n);
  });

  it('typed: a fast form gets numbers for u32 arguments (signed int32s) and BigInts for i64 ones, and returns its ABI type', () => {
    const seen: unknown[][] = [];
    const helpers = new HelperRegistry()
      .register(HelperId.map_update_elem, 'bpf_map_update_elem', () => 0n, () => (...args: (number | bigint)[]) => (seen.push(args), -5n))
      .register(HelperId.map_lookup_elem, 'bpf_map_lookup_elem', () => 0n, () => (map: number, key: number) => (seen.push([map, key >>> 0]), -1));
    expect(run(HelperId.map_update_elem, helpers, true)).toBe(U64_MAX - 4n);
    expect(run(HelperId.map_lookup_elem, helpers, true)).toBe(0xffff_ffffn);
    expect(seen).toEqual([
      [0x1000, -1, 5, -1n],
      [0x1000, 0xffff_ffff],
    ]);
  });

  it('typed: the fast form is made once per instance, from its CallEnv; classic programs call fn', () => {
    let made = 0;
    const helpers = new HelperRegistry().register(HelperId.ktime_get_ns, 'bpf_ktime_get_ns', () => 1n, (env) => {
      made++;
      return () => BigInt(env.data as number);
    });
    const program = asm`
      call 5
      r6 = r0
      call 5
      r0 += r6
      exit`;
    const jit = new JitProgram(compile(program, { typedHelpers: true }), { memory: newMemory(), helpers, data: 21 });
    expect([jit.run([], FP), jit.run([], FP), made]).toEqual([42n, 42n, 1]);
    expect(new JitProgram(compile(program), { memory: newMemory(), helpers, data: 21 }).run([], FP)).toBe(2n);
  });

  it('typed: what a fast form throws names the helper; env.exit ends the run with its r0', () => {
    const failing = new HelperRegistry().register(HelperId.map_lookup_elem, 'bpf_map_lookup_elem', () => 0n, () => () => {
      throw new Error('boom');
    });
    expect(() => run(HelperId.map_lookup_elem, failing, true)).toThrow(/^run: bpf_map_lookup_elem failed: boom$/);
    const exiting = new HelperRegistry().register(HelperId.ktime_get_ns, 'bpf_ktime_get_ns', () => 0n, (env) => () => env.exit(0x77n));
    expect(run(HelperId.ktime_get_ns, exiting, true)).toBe(0x77n);
  });

  it('typed: run_batch resumes after a fast form ends a run', () => {
    const memory = newMemory();
    const view = new DataView(memory.buffer);
    for (let i = 0; i < 4; i++) view.setUint32(0x1000 + i * 8, i, true);
    const program = asm`
      r6 = *(u32 *)(r1 + 0)
      r1 = r6
      r2 = 0
      r3 = 0
      call 181
      r0 = r6
      exit`;
    // bpf_loop's fast form stands in for a helper that ends the run on context 2.
    const helpers = new HelperRegistry().register(HelperId.loop, 'bpf_loop', () => 0n, (env) => (n: bigint) => (n === 2n ? env.exit(0x99n) : 0n));
    const jit = new JitProgram(compile(program, { typedHelpers: true }), { memory, helpers });
    jit.runBatch(0x1000, 8, 4, 0x2000, FP);
    expect(Array.from({ length: 4 }, (_, i) => view.getBigUint64(0x2000 + i * 8, true))).toEqual([0n, 1n, 0x99n, 3n]);
  });

  it('typed: the module imports each helper under its ABI name and signature', () => {
    const wat = compile(asm`
      r1 = 0
      r2 = 0
      call 1
      call 5
      exit`, { typedHelpers: true }).wat();
    expect(wat).toMatch(/\(import "h" "1:uu:u" \(func \$helper_1 \(type \d+\)\)\)/);
    expect(wat).toMatch(/\(import "h" "5::i" \(func \$helper_5 \(type \d+\)\)\)/);
    expect(wat).toContain('(func (param i32 i32) (result i32))');
    expect(wat).toContain('(func (result i64))');
  });
});
