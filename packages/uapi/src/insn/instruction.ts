import { LD_IMM64 } from './opcode.js';

/**
 * One eBPF instruction as a value.
 *
 * Every field holds the number the 8-byte encoding holds: `off` is a signed 16-bit number, `imm`
 * a signed 32-bit number. A 64-bit immediate load (`lddw`, opcode 0x18) is one instruction two
 * slots wide: `imm2` is the immediate of its second slot and is present on it alone. Only the
 * codec (codec.ts) knows the byte layout.
 *
 * Jump and call offsets count slots, as in the encoding, so a program keeps its meaning when it
 * is decoded and encoded again; `slotIndex` maps instruction indexes to slots.
 */
export interface Instruction {
  /** The 8-bit opcode (opcode.ts). */
  readonly opcode: number;
  /** Destination register, 0..10. */
  readonly dst: number;
  /** Source register 0..10, or for `lddw` and `call` the pseudo source kind. */
  readonly src: number;
  /** Signed 16-bit offset. */
  readonly off: number;
  /** Signed 32-bit immediate. */
  readonly imm: number;
  /** `lddw` only: the signed 32-bit immediate of the second slot (the high half of a constant). */
  readonly imm2?: number;
}

/** True when the instruction takes two slots (a 64-bit immediate load). */
export const isWide = (insn: Instruction): boolean => insn.opcode === LD_IMM64;

/** Number of 8-byte slots the instruction takes. */
export const slotCount = (insn: Instruction): 1 | 2 => (isWide(insn) ? 2 : 1);

/** The 64-bit value of a `lddw`: (imm2 << 32) | (imm as unsigned 32), as a signed bigint. */
export function imm64Of(insn: Instruction): bigint {
  const lo = BigInt(insn.imm >>> 0);
  const hi = BigInt(insn.imm2 ?? 0);
  return BigInt.asIntN(64, (hi << 32n) | lo);
}

/** The two 32-bit immediates that encode a 64-bit value, each as a signed number. */
export function splitImm64(value: bigint): { imm: number; imm2: number } {
  const v = BigInt.asUintN(64, value);
  return { imm: Number(BigInt.asIntN(32, v)), imm2: Number(BigInt.asIntN(32, v >> 32n)) };
}

/** For each instruction, the slot it starts at; the last entry is the total slot count. */
export function slotIndex(insns: readonly Instruction[]): number[] {
  const starts = new Array<number>(insns.length + 1);
  let slot = 0;
  insns.forEach((insn, i) => {
    starts[i] = slot;
    slot += slotCount(insn);
  });
  starts[insns.length] = slot;
  return starts;
}

/** Builds an instruction, normalising the numbers to their encoded widths. */
export function insn(opcode: number, dst: number, src: number, off: number, imm: number, imm2?: number): Instruction {
  const base = { opcode: opcode & 0xff, dst, src, off: (off << 16) >> 16, imm: imm | 0 };
  return imm2 === undefined ? base : { ...base, imm2: imm2 | 0 };
}
