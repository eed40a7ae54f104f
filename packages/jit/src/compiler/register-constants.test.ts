import { InsnClass, type Instruction, JmpOp, asm, imm64Of } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { buildProgramCfg } from './cfg.js';
import { constantsAt } from './register-constants.js';

const CALL = InsnClass.JMP | JmpOp.CALL;

/** r1's constant at every `call 1` of the entry function, in program order (undefined: unknown). */
function r1AtLookups(insns: readonly Instruction[]): (bigint | undefined)[] {
  const fn = buildProgramCfg(insns).functions[0]!;
  const calls = new Set<number>();
  for (let i = fn.start; i < fn.end; i++) if (insns[i]!.opcode === CALL && insns[i]!.imm === 1) calls.add(i);
  const known = constantsAt(insns, fn, (i) => BigInt.asUintN(64, imm64Of(insns[i]!)), calls, 1);
  return [...calls].sort((a, b) => a - b).map((i) => known.get(i));
}

describe('register constants', () => {
  it('a lddw right before the call, as clang emits it', () => {
    expect(r1AtLookups(asm`
      r2 = r10
      r2 += -4
      r1 = 0x5000 ll
      call 1
      exit`)).toEqual([0x5000n]);
  });

  it('kept through 64-bit moves and across calls in a callee-saved register', () => {
    expect(r1AtLookups(asm`
      r7 = 0x5000 ll
      call 5
      r1 = r7
      call 1
      r6 = r7
      r1 = r6
      call 1
      exit`)).toEqual([0x5000n, 0x5000n]);
  });

  it('lost to any other write: a 32-bit move, arithmetic, a load, a call clobbering r1..r5', () => {
    expect(r1AtLookups(asm`
      r1 = 0x5000 ll
      w1 = w1
      call 1
      r1 = 0x5000 ll
      r1 += 0
      call 1
      r1 = 0x5000 ll
      r1 = *(u64 *)(r10 - 8)
      call 1
      r1 = 0x5000 ll
      call 5
      call 1
      exit`)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('the same constant on both paths is kept; different ones, or one path without, are not', () => {
    expect(r1AtLookups(asm`
      r0 = *(u32 *)(r1 + 0)
      r1 = 0x5000 ll
      if r0 == 0 goto same
      r1 = 0x5000 ll
      same:
      call 1
      r1 = 0x5000 ll
      if r0 == 0 goto other
      r1 = 0x6000 ll
      other:
      call 1
      r1 = 0x5000 ll
      if r0 == 0 goto missing
      r1 = r0
      missing:
      call 1
      exit`)).toEqual([0x5000n, undefined, undefined]);
  });

  it('a loop that changes the register on its back edge makes it unknown at the head, not before', () => {
    expect(r1AtLookups(asm`
      r6 = 4
      r1 = 0x5000 ll
      call 1
      r7 = 0x5000 ll
      loop:
      r1 = r7
      call 1
      r7 = 0x6000 ll
      r6 += -1
      if r6 != 0 goto loop
      exit`)).toEqual([0x5000n, undefined]);
    expect(r1AtLookups(asm`
      r6 = 4
      r7 = 0x5000 ll
      loop:
      r1 = r7
      call 1
      r6 += -1
      if r6 != 0 goto loop
      exit`)).toEqual([0x5000n]);
  });

  it('nothing at the start of a function (r1 is an argument there)', () => {
    expect(r1AtLookups(asm`
      call 1
      exit`)).toEqual([undefined]);
  });
});
