import { asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { MemoryAccessError, ProgramError } from './errors.js';
import { Interpreter } from './interpreter.js';
import { AddressSpace } from './memory.js';

/** A 16-byte struct at 0x1000: u32 4242 at +8, s8 -3 at +12. */
const STRUCT = 0x1000n;
const space = (): AddressSpace => {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(8, 4242, true);
  bytes[12] = 0xfd;
  return new AddressSpace([{ name: 'task', base: STRUCT, bytes, writable: false }]);
};

// r0 = *(u32 *)(r1 + 8) + *(s8 *)(r1 + 12)
const program = asm`
  r0 = *(u32 *)(r1 + 8)
  r2 = *(s8 *)(r1 + 12)
  r0 += r2
  exit`;

const run = (r1: bigint, probeLoads?: number[]): bigint =>
  new Interpreter(program, probeLoads && { probeLoads }).execute({ memory: space(), args: [r1] }).r0;

describe('interp probe loads (BPF_PROBE_MEM)', () => {
  it.each([
    ['a mapped struct', STRUCT, 4239n],
    ['NULL', 0n, 0n],
    ['a pointer 4 bytes on: the u32 is mapped (0xfd), the s8 past the region end', STRUCT + 4n, 253n],
    ['an address whose offset wraps around 2^64', 0xffff_ffff_ffff_fffcn, 0n],
  ])('interp probe loads - %s reads as the kernel would (fault: 0)', (_title, r1, r0) => {
    expect(BigInt.asIntN(64, run(r1, [0, 1]))).toBe(r0);
  });

  it('interp probe loads - only the listed loads read 0: the others still fault', () => {
    expect(() => run(0n, [1])).toThrow(MemoryAccessError);
    expect(() => run(0n, [1])).toThrow('run: out of bounds: 4-byte load at 0x8 (task - 4088) at instruction 0');
    expect(() => run(0n)).toThrow(MemoryAccessError);
  });

  it.each([
    ['an instruction that is no load', [2], 'prepare: instruction 2: a probe load must be an LDX instruction'],
    ['an index past the program', [4], 'prepare: probe load 4 is not an instruction index (0..3)'],
    ['a negative index', [-1], 'prepare: probe load -1 is not an instruction index (0..3)'],
  ])('interp probe loads - %s as a probe load is rejected', (_title, probeLoads, message) => {
    expect(() => new Interpreter(program, { probeLoads })).toThrow(ProgramError);
    expect(() => new Interpreter(program, { probeLoads })).toThrow(message);
  });
});
