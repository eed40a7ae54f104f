import {
  AluOp,
  CALL,
  CALLX,
  EXIT,
  InsnClass,
  type Instruction,
  JA,
  JA32,
  type JmpOp,
  LD_IMM64,
  MAY_GOTO,
  Mode,
  PseudoCall,
  Source,
  insn,
  sizeForBytes,
  splitImm64,
} from '@bpfhive/uapi';

/**
 * A tiny instruction builder for tests, until the uapi assembler lands. Operands that are
 * `r(n)` use the src register (X); plain numbers are immediates (K). Offsets count slots.
 */

export interface Reg {
  readonly reg: number;
}
export const r = (n: number): Reg => ({ reg: n });
export type Operand = Reg | number;

type Bytes = 1 | 2 | 4 | 8;
const size = (bytes: Bytes): number => sizeForBytes(bytes)!;

function operate(cls: number, op: number, dst: number, operand: Operand, off = 0): Instruction {
  return typeof operand === 'number'
    ? insn(cls | op | Source.K, dst, 0, off, operand)
    : insn(cls | op | Source.X, dst, operand.reg, off, 0);
}

export const alu64 = (op: AluOp, dst: number, operand: Operand, off = 0): Instruction =>
  operate(InsnClass.ALU64, op, dst, operand, off);
export const alu32 = (op: AluOp, dst: number, operand: Operand, off = 0): Instruction =>
  operate(InsnClass.ALU, op, dst, operand, off);
export const mov64 = (dst: number, operand: Operand): Instruction => alu64(AluOp.MOV, dst, operand);
export const mov32 = (dst: number, operand: Operand): Instruction => alu32(AluOp.MOV, dst, operand);
export const add64 = (dst: number, operand: Operand): Instruction => alu64(AluOp.ADD, dst, operand);
export const neg64 = (dst: number): Instruction => insn(InsnClass.ALU64 | AluOp.NEG, dst, 0, 0, 0);

export const jmp = (op: JmpOp, dst: number, operand: Operand, off: number): Instruction =>
  operate(InsnClass.JMP, op, dst, operand, off);
export const jmp32 = (op: JmpOp, dst: number, operand: Operand, off: number): Instruction =>
  operate(InsnClass.JMP32, op, dst, operand, off);
export const ja = (off: number): Instruction => insn(JA, 0, 0, off, 0);
export const gotol = (imm: number): Instruction => insn(JA32, 0, 0, 0, imm);
export const mayGoto = (off: number): Instruction => insn(MAY_GOTO, 0, 0, off, 0);
export const exit = (): Instruction => insn(EXIT, 0, 0, 0, 0);
export const call = (helper: number): Instruction => insn(CALL, 0, PseudoCall.HELPER, 0, helper);
export const callLocal = (imm: number): Instruction => insn(CALL, 0, PseudoCall.LOCAL, 0, imm);
export const callKfunc = (btfId: number, btfObject = 0): Instruction => insn(CALL, 0, PseudoCall.KFUNC, btfObject, btfId);
export const callx = (dst: number): Instruction => insn(CALLX, dst, 0, 0, 0);

export const lddw = (dst: number, value: bigint, src = 0): Instruction => {
  const { imm, imm2 } = splitImm64(value);
  return insn(LD_IMM64, dst, src, 0, imm, imm2);
};
export const ldAbs = (bytes: 1 | 2 | 4, imm: number): Instruction => insn(InsnClass.LD | Mode.ABS | size(bytes), 0, 0, 0, imm);
export const ldInd = (bytes: 1 | 2 | 4, src: number, imm: number): Instruction =>
  insn(InsnClass.LD | Mode.IND | size(bytes), 0, src, 0, imm);

export const ldx = (bytes: Bytes, dst: number, src: number, off: number): Instruction =>
  insn(InsnClass.LDX | Mode.MEM | size(bytes), dst, src, off, 0);
export const ldxs = (bytes: 1 | 2 | 4, dst: number, src: number, off: number): Instruction =>
  insn(InsnClass.LDX | Mode.MEMSX | size(bytes), dst, src, off, 0);
export const st = (bytes: Bytes, dst: number, off: number, imm: number): Instruction =>
  insn(InsnClass.ST | Mode.MEM | size(bytes), dst, 0, off, imm);
export const stx = (bytes: Bytes, dst: number, off: number, src: number): Instruction =>
  insn(InsnClass.STX | Mode.MEM | size(bytes), dst, src, off, 0);
export const atomic = (bytes: Bytes, op: number, dst: number, off: number, src: number): Instruction =>
  insn(InsnClass.STX | Mode.ATOMIC | size(bytes), dst, src, off, op);
