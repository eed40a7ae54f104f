/**
 * Writing a relocation's value into its instruction (libbpf's bpf_core_patch_insn). Four
 * shapes take one:
 *
 *   rX = imm, rX op= imm          (ALU, ALU64 with an immediate)   → imm
 *   rX = *(T *)(rY + off)         (LDX)                            → off, and T when allowed
 *   *(T *)(rX + off) = rY | imm   (STX, ST)                        → off, and T when allowed
 *   rX = imm64 ll                 (lddw with no pseudo source)     → imm, imm2
 *
 * A relocation without a target turns the instruction into `call 0xbad2310` (both slots of a
 * lddw), which the verifier refuses if it is reachable: "invalid func unknown#195896080".
 */
import {
  CALL,
  type Instruction,
  InsnClass,
  LD_IMM64,
  Source,
  classOf,
  modeOf,
  sizeBytes,
  sizeForBytes,
  sizeOf,
  sourceOf,
  splitImm64,
} from '@bpfhive/uapi';
import type { CoreReloValue } from './calc.js';
import { CoreFailure } from './errors.js';

/** The helper id of libbpf's poison call: 0xbad2310, "bad relo". */
export const CORE_POISON_IMM = 0xbad2310;

/** `call 0xbad2310`: what a relocation without a target leaves in place of its instruction. */
export const CORE_POISON_CALL: Instruction = { opcode: CALL, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM };

/** An instruction after patching: the new one, or a poisoned lddw that becomes two poison calls. */
export type PatchedInsn = Instruction | { readonly poisonedWide: true };

const SHRT_MAX = 0x7fff;
const u64 = (v: number | bigint): bigint => BigInt.asUintN(64, BigInt(v));

/** The outcome of patching: the instruction, and a warning when it was poisoned for a bad memory size. */
export interface PatchOutcome {
  readonly insn: PatchedInsn;
  readonly memszPoisoned: boolean;
}

/**
 * Applies `res` to `insn`. Throws CoreFailure (EINVAL, ERANGE) for an instruction of another
 * shape, one that does not hold the value the compiler should have written, an offset beyond
 * 16 bits, or a memory size that cannot change as needed.
 */
export function patchInsn(insn: Instruction, res: CoreReloValue): PatchOutcome {
  const poisoned = (memszPoisoned: boolean): PatchOutcome => ({ insn: insn.opcode === LD_IMM64 ? { poisonedWide: true } : CORE_POISON_CALL, memszPoisoned });
  if (res.poison) return poisoned(false);
  const cls = classOf(insn.opcode);
  switch (cls) {
    case InsnClass.ALU:
    case InsnClass.ALU64:
      if (sourceOf(insn.opcode) !== Source.K) throw new CoreFailure('EINVAL', 'a relocated ALU instruction must take an immediate');
      if (res.validate && u64(insn.imm) !== res.origVal) throw unexpected('ALU/ALU64', u64(insn.imm >>> 0), res);
      return { insn: { ...insn, imm: Number(BigInt.asIntN(32, res.newVal)) }, memszPoisoned: false };
    case InsnClass.LDX:
    case InsnClass.ST:
    case InsnClass.STX: {
      if (res.validate && u64(insn.off) !== res.origVal) throw unexpected('LDX/ST/STX', u64(insn.off & 0xffff), res);
      if (res.newVal > BigInt(SHRT_MAX)) throw new CoreFailure('ERANGE', `(LDX/ST/STX) value too big: ${res.newVal}`);
      if (res.failMemszAdjust) return poisoned(true);
      const patched = { ...insn, off: Number(res.newVal) };
      if (res.newSz === res.origSz) return { insn: patched, memszPoisoned: false };
      const bytes = sizeBytes(sizeOf(insn.opcode)!);
      if (bytes !== res.origSz) throw new CoreFailure('EINVAL', `(LDX/ST/STX) unexpected mem size: got ${bytes}, exp ${res.origSz}`);
      const size = sizeForBytes(res.newSz);
      if (size === undefined) throw new CoreFailure('EINVAL', `(LDX/ST/STX) invalid new mem size: ${res.newSz}`);
      return { insn: { ...patched, opcode: modeOf(insn.opcode)! | size | cls }, memszPoisoned: false };
    }
    case InsnClass.LD: {
      if (insn.opcode !== LD_IMM64 || insn.src !== 0 || insn.off !== 0) throw new CoreFailure('EINVAL', '(LDIMM64) has unexpected form');
      const imm = u64(insn.imm >>> 0) | (u64(insn.imm2 ?? 0) << 32n);
      if (res.validate && BigInt.asUintN(64, imm) !== res.origVal) throw unexpected('LDIMM64', BigInt.asUintN(64, imm), res);
      return { insn: { ...insn, ...splitImm64(res.newVal) }, memszPoisoned: false };
    }
    default:
      throw new CoreFailure(
        'EINVAL',
        `trying to relocate unrecognized insn, code:0x${insn.opcode.toString(16)}, src:0x${insn.src.toString(16)}, dst:0x${insn.dst.toString(16)}, off:0x${(insn.off & 0xffff).toString(16)}, imm:0x${(insn.imm >>> 0).toString(16)}`,
      );
  }
}

function unexpected(what: string, got: bigint, res: CoreReloValue): CoreFailure {
  return new CoreFailure('EINVAL', `unexpected (${what}) value: got ${got}, exp ${res.origVal} -> ${res.newVal}`);
}

/** The program with every poisoned lddw spread into its two poison calls (slots stay where they were). */
export function expandPoisoned(insns: readonly PatchedInsn[]): Instruction[] {
  return insns.flatMap((i) => ('poisonedWide' in i ? [CORE_POISON_CALL, CORE_POISON_CALL] : [i]));
}
