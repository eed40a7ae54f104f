import { HelperId, type Instruction, asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { FIXTURE_ARRAY, FIXTURE_ARRAY_OF_MAPS, FIXTURE_INLINING, FIXTURE_MAPS, FIXTURE_PERCPU, KERNEL_LAYOUT, kernelFixture, runInKernelFixture } from '../differential/kernel-fixture.js';
import { KERNEL_DATA_HELPERS } from '../kernel/kernel-data.js';
import { type CompileOptions, compile } from './compile.js';
import { JitCompileError } from './errors.js';
import { JitExecutionError, JitProgram } from './runtime.js';

/**
 * Each inlined form (inline.ts) gives what the helper call it replaces gives: the same r0 and the
 * same memory (input, kernel data block, map values) as the JIT calling the JavaScript helpers and
 * as the interpreter, in the kernel fixture (differential/kernel-fixture.ts).
 */
const INPUT = new Uint8Array(16);

function outcomes(insns: readonly Instruction[], seed = 1): { inlined: unknown; calls: unknown; interp: unknown } {
  const program = { seed, insns, input: INPUT };
  const show = (r: { r0: bigint; memory: Uint8Array }) => ({ r0: r.r0, memory: Buffer.from(r.memory).toString('hex') });
  return {
    inlined: show(runInKernelFixture(program, 'jit', FIXTURE_INLINING)),
    calls: show(runInKernelFixture(program, 'jit', {})),
    interp: show(runInKernelFixture(program, 'interp')),
  };
}

function expectSame(insns: readonly Instruction[], seed?: number): void {
  const { inlined, calls, interp } = outcomes(insns, seed);
  expect(inlined).toEqual(interp);
  expect(calls).toEqual(interp);
}

/**
 * A lookup of `key` in the map at `pointer`; r0 = what it gives, and for a map of values (not of
 * maps) plus the u32 at +4 of the value found, which it increments.
 */
const lookup = (pointer: number, key: number): Instruction[] =>
  pointer === FIXTURE_ARRAY_OF_MAPS.pointer
    ? asm`
  *(u32 *)(r10 - 4) = ${key}
  r2 = r10
  r2 += -4
  r1 = ${pointer} ll
  call 1
  exit`
    : asm`
  *(u32 *)(r10 - 4) = ${key}
  r2 = r10
  r2 += -4
  r1 = ${pointer} ll
  call 1
  if r0 == 0 goto out
  r1 = *(u32 *)(r0 + 4)
  r1 += 1
  *(u32 *)(r0 + 4) = r1
  r0 += r1
  out:
  exit`;

describe('jit inlining', () => {
  it.each([...KERNEL_DATA_HELPERS.keys()])('helper %i - a read of the kernel data block, as the JavaScript helper reads it', (id) => {
    const program = asm`
      call ${id}
      r6 = r0
      call ${id}
      r0 ^= r6
      r0 += r6
      exit`;
    const inlined = compile(program, FIXTURE_INLINING);
    expect(inlined.stats.inlinedCalls).toBe(2);
    expect(inlined.needs.helpers).toEqual([]);
    expect(inlined.needs.kernelData).toBe(true);
    expect(compile(program).needs.helpers).toEqual([id]);
    for (const seed of [1, 2, 3]) expectSame(program, seed);
  });

  it('get_prandom_u32 - a sequence of results and the state left behind are the JavaScript helper’s', () => {
    const program = asm`
      r6 = 0
      r7 = 20
      loop:
      call 7
      r6 *= 31
      r6 += r0
      r7 -= 1
      if r7 != 0 goto loop
      r0 = r6
      exit`;
    expectSame(program, 9);
  });

  it.each([
    ['array', FIXTURE_ARRAY.pointer, FIXTURE_ARRAY.maxEntries],
    ['percpu_array', FIXTURE_PERCPU.pointer, FIXTURE_PERCPU.maxEntries],
    ['array_of_maps', FIXTURE_ARRAY_OF_MAPS.pointer, FIXTURE_ARRAY_OF_MAPS.maxEntries],
  ])('lookup in an %s - address arithmetic for keys inside, at the end and past it', (_, pointer, maxEntries) => {
    for (const key of [0, 1, maxEntries - 1, maxEntries, maxEntries + 1, 0x7fff_ffff, -1]) {
      const program = lookup(pointer, key);
      const compiled = compile(program, FIXTURE_INLINING);
      expect(compiled.stats.inlinedCalls).toBe(1);
      expect(compiled.needs.helpers).toEqual([]);
      expectSame(program);
    }
  });

  it('lookup - r1..r5 keep their values, as after a helper call', () => {
    const program = asm`
      r3 = 77
      r4 = 88
      *(u32 *)(r10 - 4) = 1
      r2 = r10
      r2 += -4
      r1 = ${FIXTURE_ARRAY.pointer} ll
      call 1
      r0 = r1
      r0 += r3
      r0 ^= r4
      exit`;
    expect(compile(program, FIXTURE_INLINING).stats.inlinedCalls).toBe(1);
    expectSame(program);
  });

  it('lookup - stays a call when r1 is not one map on every path', () => {
    const program = asm`
      r6 = *(u8 *)(r1 + 0)
      *(u32 *)(r10 - 4) = 0
      r2 = r10
      r2 += -4
      r1 = ${FIXTURE_ARRAY.pointer} ll
      if r6 == 0 goto go
      r1 = ${FIXTURE_PERCPU.pointer} ll
      go:
      call 1
      exit`;
    const compiled = compile(program, FIXTURE_INLINING);
    expect(compiled.stats.inlinedCalls).toBe(0);
    expect(compiled.needs.helpers).toEqual([HelperId.map_lookup_elem]);
    expectSame(program);
  });

  it('lookup - a per-CPU array is inlined only with inlineKernelData (its CPU is in the block); a map without a descriptor never', () => {
    const percpu = lookup(FIXTURE_PERCPU.pointer, 1);
    expect(compile(percpu, { maps: FIXTURE_MAPS }).stats.inlinedCalls).toBe(0);
    expect(compile(percpu, { maps: FIXTURE_MAPS, inlineKernelData: true }).stats.inlinedCalls).toBe(1);
    expect(compile(lookup(0x7000, 1), FIXTURE_INLINING).stats.inlinedCalls).toBe(0);
    expect(compile(lookup(FIXTURE_ARRAY.pointer, 1), { maps: FIXTURE_MAPS }).needs.kernelData ?? false).toBe(false);
  });

  it('bad map descriptors are a JitCompileError (EINVAL)', () => {
    const options: CompileOptions = { maps: [{ ...FIXTURE_ARRAY, stride: 0 }] };
    expect(() => compile(lookup(FIXTURE_ARRAY.pointer, 1), options)).toThrow(JitCompileError);
    expect(() => compile(lookup(FIXTURE_ARRAY.pointer, 1), options)).toThrow(/^jit: inline maps: descriptor 0 .*stride/);
  });

  it('an instance of a program that reads the kernel data block needs its address', () => {
    const compiled = compile(asm`
      call 5
      exit`, FIXTURE_INLINING);
    const fixture = kernelFixture(1, INPUT);
    expect(() => new JitProgram(compiled, { memory: fixture.memory })).toThrow(JitExecutionError);
    const now = new DataView(fixture.memory.buffer).getBigUint64(KERNEL_LAYOUT.kernelData, true);
    const jit = new JitProgram(compiled, { memory: fixture.memory, kernelData: KERNEL_LAYOUT.kernelData });
    expect(jit.run([], BigInt(KERNEL_LAYOUT.stackTop))).toBe(now);
    // The module itself says it imports the block: a CompiledProgram rebuilt from a jit service reply need not.
    const { kernelData: _, ...needs } = compiled.needs;
    const fromReply = new JitProgram({ ...compiled, needs }, { memory: fixture.memory, kernelData: KERNEL_LAYOUT.kernelData });
    expect(fromReply.run([], BigInt(KERNEL_LAYOUT.stackTop))).toBe(now);
  });
});
