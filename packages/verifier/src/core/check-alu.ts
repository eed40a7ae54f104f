/**
 * Arithmetic instructions (the kernel's check_alu_op and adjust_reg_min_max_vals): operand
 * checks, moves (with sign extension and the scalar ids that link copies), scalar arithmetic
 * through the transfer functions, and pointer arithmetic through adjustPtr.
 */
import { markChainPrecision } from './precision.js';
import { AluOp, InsnClass, type Instruction, Source } from '@bpfhive/uapi';
import {
  boundsSane, coerceSubregToSizeSx, coerceToSize, coerceToSizeSx, isConst, markKnown, markUnbounded, regBoundsSync, zext32to64,
} from './bounds.js';
import { alu32Const, alu64Const, bswapConst } from './concrete-alu.js';
import type { Env } from './env.js';
import { adjustPtr } from './ptr-alu.js';
import { DST_OP, DST_OP_NO_MARK, SRC_OP, checkRegArg, isPointerValue, markRegUnknown } from './reg-access.js';
import { Live, RegState } from './reg.js';
import { RegType } from './reg-type.js';
import { adjustScalar } from './scalar-alu.js';
import { fls64 } from './u64.js';
import { aluOpString } from './print-insn.js';

/** Gives a scalar an id before it is copied, so that what a branch learns of one copy holds for all. */
function assignScalarIdBeforeMov(env: Env, src: RegState): void {
  if (src.type === RegType.SCALAR && !src.id && !isConst(src)) src.id = env.nextId();
}

export function checkAlu(env: Env, insn: Instruction): void {
  const regs = env.regs;
  const op = insn.opcode & 0xf0;
  const alu64 = (insn.opcode & 0x07) === InsnClass.ALU64;
  const x = (insn.opcode & 0x08) === Source.X;

  if (op === AluOp.END || op === AluOp.NEG) {
    checkRegArg(env, insn.dst, SRC_OP);
    if (isPointerValue(env, regs[insn.dst]!)) env.fail('EACCES', `R${insn.dst} pointer arithmetic prohibited`);
    const dst = regs[insn.dst]!;
    if (dst.type === RegType.SCALAR) {
      checkRegArg(env, insn.dst, DST_OP_NO_MARK);
      if (op === AluOp.NEG) adjustScalar(dst, dst, AluOp.NEG, !alu64);
      else byteSwap(dst, insn.imm, alu64 || x);
      dst.id = 0;
    } else {
      checkRegArg(env, insn.dst, DST_OP);
    }
    return;
  }

  if (op === AluOp.MOV) {
    if (x) checkRegArg(env, insn.src, SRC_OP);
    checkRegArg(env, insn.dst, DST_OP_NO_MARK);
    const dst = regs[insn.dst]!;
    if (!x) {
      markRegUnknown(env, dst);
      markKnown(dst, alu64 ? BigInt(insn.imm) : BigInt(insn.imm >>> 0));
      return;
    }
    const src = regs[insn.src]!;
    if (alu64) {
      if (insn.off === 0) {
        assignScalarIdBeforeMov(env, src);
        dst.assignFrom(src);
        dst.live |= Live.WRITTEN;
        return;
      }
      if (insn.off === 1) {
        // addr_space_cast: arena pointers are not supported; the result is a number.
        env.fail('EINVAL', 'addr_space_cast insn can only be used in a program that has an associated arena');
      }
      if (isPointerValue(env, src)) env.fail('EACCES', `R${insn.src} sign-extension part of pointer`);
      if (src.type === RegType.SCALAR) {
        const noSext = src.umax < 1n << BigInt(insn.off - 1);
        if (noSext) assignScalarIdBeforeMov(env, src);
        dst.assignFrom(src);
        if (!noSext) dst.id = 0;
        coerceToSizeSx(dst, insn.off >> 3);
        dst.live |= Live.WRITTEN;
      } else {
        markRegUnknown(env, dst);
      }
      return;
    }
    if (isPointerValue(env, src)) env.fail('EACCES', `R${insn.src} partial copy of pointer`);
    if (src.type === RegType.SCALAR) {
      if (insn.off === 0) {
        const fitsU32 = fls64(src.umax) <= 32;
        if (fitsU32) assignScalarIdBeforeMov(env, src);
        dst.assignFrom(src);
        if (!fitsU32) dst.id = 0;
      } else {
        const noSext = src.umax < 1n << BigInt(insn.off - 1);
        if (noSext) assignScalarIdBeforeMov(env, src);
        dst.assignFrom(src);
        if (!noSext) dst.id = 0;
        coerceSubregToSizeSx(dst, insn.off >> 3);
      }
      dst.live |= Live.WRITTEN;
    } else {
      markRegUnknown(env, dst);
    }
    zext32to64(dst);
    regBoundsSync(dst);
    return;
  }

  // Every other operation: ADD, SUB, MUL, DIV, MOD, OR, AND, LSH, RSH, XOR, ARSH.
  if (x) checkRegArg(env, insn.src, SRC_OP);
  checkRegArg(env, insn.dst, SRC_OP);
  if ((op === AluOp.MOD || op === AluOp.DIV) && !x && insn.imm === 0) env.fail('EINVAL', 'div by zero');
  if ((op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH) && !x) {
    const size = alu64 ? 64 : 32;
    if (insn.imm < 0 || insn.imm >= size) env.fail('EINVAL', `invalid shift ${insn.imm}`);
  }
  checkRegArg(env, insn.dst, DST_OP_NO_MARK);
  if (foldConstant(env, insn)) return;
  adjustReg(env, insn);
  const dst = regs[insn.dst]!;
  if (dst.type === RegType.SCALAR && !boundsSane(dst)) {
    env.fail('EFAULT', `REG INVARIANTS VIOLATION (alu): range bounds violation u64=[${dst.umin}, ${dst.umax}]`);
  }
}

/**
 * The common case of two known scalars (or a known scalar and an immediate): the result is known.
 * Returns false when the general transfer functions are needed.
 */
function foldConstant(env: Env, insn: Instruction): boolean {
  const dst = env.regs[insn.dst]!;
  if (dst.type !== RegType.SCALAR || dst.varOff.mask !== 0n) return false;
  const alu64 = (insn.opcode & 0x07) === InsnClass.ALU64;
  let b: bigint;
  if ((insn.opcode & 0x08) === Source.X) {
    const src = env.regs[insn.src]!;
    if (src.type !== RegType.SCALAR || src.varOff.mask !== 0n) return false;
    b = src.varOff.value;
  } else {
    b = BigInt(insn.imm);
  }
  const signed = insn.off === 1;
  const op = insn.opcode & 0xf0;
  markKnown(dst, alu64 ? alu64Const(op, dst.varOff.value, b, signed) : alu32Const(op, dst.varOff.value, b, signed));
  dst.id = 0;
  return true;
}

/** adjust_reg_min_max_vals: dispatches to pointer or scalar arithmetic. */
function adjustReg(env: Env, insn: Instruction): void {
  const regs = env.regs;
  const dst = regs[insn.dst]!;
  const op = insn.opcode & 0xf0;
  const alu32 = (insn.opcode & 0x07) !== InsnClass.ALU64;
  let src: RegState;
  if ((insn.opcode & 0x08) === Source.X) {
    src = regs[insn.src]!;
    if (src.type !== RegType.SCALAR) {
      if (dst.type !== RegType.SCALAR) {
        // Two pointers: only their difference, and only when pointers may be seen as numbers.
        if (op === AluOp.SUB && env.caps.allowPtrLeaks) {
          markRegUnknown(env, dst);
          return;
        }
        env.fail('EACCES', `R${insn.dst} pointer ${aluOpString(op)} pointer prohibited`);
      }
      markChainPrecision(env, insn.dst);
      adjustPtr(env, insn, src, dst, dst);
      return;
    }
    if (dst.type !== RegType.SCALAR) {
      markChainPrecision(env, insn.src);
      adjustPtr(env, insn, dst, src, dst);
      return;
    }
    if (dst.precise) markChainPrecision(env, insn.src);
  } else {
    src = new RegState();
    src.type = RegType.SCALAR;
    markKnown(src, BigInt(insn.imm));
    if (dst.type !== RegType.SCALAR) {
      adjustPtr(env, insn, dst, src, dst);
      return;
    }
  }
  adjustScalar(dst, src, op, alu32, insn.off === 1);
  dst.id = 0;
}

/** END/BSWAP on a scalar: folds constants; otherwise the result is any `bits`-wide value. */
function byteSwap(dst: RegState, bits: number, swap: boolean): void {
  if (!swap) {
    // to_le on a little-endian machine only truncates.
    coerceToSize(dst, bits / 8);
    return;
  }
  if (isConst(dst)) {
    markKnown(dst, bswapConst(dst.varOff.value, bits));
    return;
  }
  markUnbounded(dst);
  coerceToSize(dst, bits / 8);
}
