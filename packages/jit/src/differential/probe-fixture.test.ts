import { asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { JitExecutionError } from '../compiler/run-errors.js';
import { MemoryAccessError } from '../interp/errors.js';
import { MEMSUM } from '../testing/memsum.js';
import { PROBE_LAYOUT, kernelByte, runWithProbeLoads } from './probe-fixture.js';

/**
 * Differential test of BPF_PROBE_MEM loads: the interpreter (read 0 where a load faults) and the
 * JIT (read 0 in the NULL guard or past the memory) must give the same r0 for the same program,
 * probe loads and pointer, and the value the kernel would read.
 */

const { kernel, end } = PROBE_LAYOUT;
const U64 = 2n ** 64n;

/** The little-endian value of `size` bytes of the kernel region at `address`, or 0 when any lies outside it. */
function expected(address: bigint, size: number, signed: boolean): bigint {
  if (address < BigInt(kernel) || address + BigInt(size) > BigInt(end)) return 0n;
  let value = 0n;
  for (let k = size - 1; k >= 0; k--) value = (value << 8n) | BigInt(kernelByte(Number(address) + k));
  return BigInt.asUintN(64, signed ? BigInt.asIntN(size * 8, value) : value);
}

const SIZES = [
  ['u8', 1, false],
  ['u16', 2, false],
  ['u32', 4, false],
  ['u64', 8, false],
  ['s8', 1, true],
  ['s16', 2, true],
  ['s32', 4, true],
] as const;

/** Pointers r1 (the load is at r1 + 8), by what r1 + 8 is. */
const POINTERS: readonly (readonly [string, bigint])[] = [
  ['NULL + 8', 0n],
  ['a low address in the NULL guard', 0x1230n],
  ['the last bytes of the NULL guard, straddling into the kernel region', BigInt(kernel) - 9n],
  ['the first byte of the kernel region', BigInt(kernel) - 8n],
  ['in bounds', BigInt(kernel) + 0x1234n],
  ['the last word of the memory', BigInt(end) - 16n],
  ['straddling the end of the memory', BigInt(end) - 9n],
  ['just past the end of the memory', BigInt(end) - 8n],
  ['far past the end', 0x7fff_0000n],
  ['a kernel-half address', 0xffff_8880_0000_0000n],
  ['an address that wraps around 2^64 to a low one', U64 - 16n + 0x20n],
  ['an address that wraps around 2^64 into the kernel region', U64 - 8n + BigInt(kernel) + 0x40n],
];

describe('differential: probe loads on the interpreter and the JIT', () => {
  const cases = SIZES.flatMap(([name, size, signed]) => POINTERS.map(([where, r1]) => [`${name} at ${where}`, name, size, signed, r1] as const));
  it.each(cases)('probe load - %s: both engines read what the kernel would', (_title, name, size, signed, r1) => {
    const program = asm`
      r0 = *(${name} *)(r1 + 8)
      exit`;
    const want = expected(BigInt.asUintN(64, r1 + 8n), size, signed);
    expect(runWithProbeLoads(program, [0], [r1], 'interp')).toBe(want);
    expect(runWithProbeLoads(program, [0], [r1], 'jit')).toBe(want);
  });

  it('probe load - without probeLoads the same load faults on both engines', () => {
    const program = asm`
      r0 = *(u64 *)(r1 + 8)
      exit`;
    expect(() => runWithProbeLoads(program, [], [0n], 'interp')).toThrow(MemoryAccessError);
    expect(() => runWithProbeLoads(program, [], [BigInt(end)], 'jit')).toThrow(JitExecutionError);
  });

  // A sum of u64 words through a struct pointer (memsum as clang emits it); instruction 5 is the
  // probe load. The vectorizer must leave it alone (vectorize.ts); the unroller's versioned copy
  // keeps each load checked.
  const SUM = MEMSUM;
  const WORDS = 100n;
  const sumOf = (base: bigint): bigint => {
    let sum = 0n;
    for (let k = 0n; k < WORDS; k++) sum += expected(BigInt.asUintN(64, base + 8n * k), 8, false);
    return BigInt.asUintN(64, sum);
  };
  it.each([
    ['NULL', 0n],
    ['the NULL guard, running into the kernel region', BigInt(kernel) - 8n * 30n],
    ['the kernel region', BigInt(kernel) + 0x100n],
    ['the kernel region, running past the end of the memory', BigInt(end) - 8n * 30n],
    ['the kernel region, one word misaligned across the end', BigInt(end) - 8n * 30n - 3n],
  ])('probe load - a loop summing words through a probe-load pointer from %s agrees on every engine', (_title, base) => {
    const args = [base, 8n * WORDS];
    const want = sumOf(base);
    expect(runWithProbeLoads(SUM, [5], args, 'interp')).toBe(want);
    expect(runWithProbeLoads(SUM, [5], args, 'jit')).toBe(want);
    expect(runWithProbeLoads(SUM, [5], args, 'jit', false)).toBe(want);
  });
});
