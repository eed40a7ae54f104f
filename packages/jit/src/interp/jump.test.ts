import { JmpOp } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import type { Width } from './alu.js';
import { conditionHolds } from './jump.js';

const M1 = 0xffff_ffff_ffff_ffffn; // -1

type Case = [title: string, op: JmpOp, width: Width, dst: bigint, src: bigint, taken: boolean];

const cases: Case[] = [
  ['jgt compares unsigned: -1 > 1', JmpOp.JGT, 64, M1, 1n, true],
  ['jsgt compares signed: -1 > 1 is false', JmpOp.JSGT, 64, M1, 1n, false],
  ['jsge of equal values', JmpOp.JSGE, 64, M1, M1, true],
  ['jlt compares unsigned', JmpOp.JLT, 64, 1n, M1, true],
  ['jslt compares signed', JmpOp.JSLT, 64, M1, 1n, true],
  ['jle of equal values', JmpOp.JLE, 64, 5n, 5n, true],
  ['jsle of -2 and -1', JmpOp.JSLE, 64, M1 - 1n, M1, true],
  ['jge of smaller value', JmpOp.JGE, 64, 4n, 5n, false],
  ['jeq of different values', JmpOp.JEQ, 64, 1n, 2n, false],
  ['jne of different values', JmpOp.JNE, 64, 1n, 2n, true],
  ['jset tests common bits', JmpOp.JSET, 64, 0b1010n, 0b0100n, false],
  ['jset with a common bit', JmpOp.JSET, 64, 0b1010n, 0b0010n, true],
  ['jeq32 ignores the high halves', JmpOp.JEQ, 32, 0x1_0000_0005n, 0x2_0000_0005n, true],
  ['jsgt32 takes bit 31 as the sign', JmpOp.JSGT, 32, 0x8000_0000n, 1n, false],
  ['jgt32 compares the low halves unsigned', JmpOp.JGT, 32, 0x8000_0000n, 1n, true],
  ['jset32 ignores bits above 31', JmpOp.JSET, 32, 0x1_0000_0000n, 0x1_0000_0000n, false],
];

describe('interp jump', () => {
  it.each(cases)('interp - %s', (_title, op, width, dst, src, taken) => {
    expect(conditionHolds(op, width, dst, src)).toBe(taken);
  });
});
