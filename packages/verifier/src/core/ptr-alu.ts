/**
 * Pointer arithmetic (the kernel's adjust_ptr_min_max_vals): which `pointer ± scalar` forms are
 * allowed, how the fixed and variable offsets move, and the extra rules for loaders without
 * CAP_PERFMON (Spectre v1 sanitation: no mixed-sign offsets, results must stay in bounds).
 */
import { AluOp, InsnClass, type Instruction } from '@bpfhive/uapi';
import { isConst, markUnbounded32, regBoundsSync } from './bounds.js';
import type { Env } from './env.js';
import { aluOpString } from './print-insn.js';
import { markRegUnknown } from './reg-access.js';
import type { RegState } from './reg.js';
import { RegType, baseType, isPktPointer, regTypeStr, typeMayBeNull } from './reg-type.js';
import { MAX_VAR_OFF } from './limits.js';
import { checkMapAccess } from './map-access.js';
import { S64_MAX, S64_MIN, U64_MAX } from './u64.js';
import { tnumAdd, tnumIsConst, tnumString, tnumSub } from './tnum.js';

const MAX_VAR_OFF_B = BigInt(MAX_VAR_OFF);
const UNPRIV = 'pointer arithmetic with it prohibited for !root';

function checkSaneOffset(env: Env, reg: RegState, type: number): void {
  const known = tnumIsConst(reg.varOff);
  const val = BigInt.asIntN(64, reg.varOff.value);
  const t = regTypeStr(type);
  if (known && (val >= MAX_VAR_OFF_B || val <= -MAX_VAR_OFF_B)) env.fail('EACCES', `math between ${t} pointer and ${val} is not allowed`);
  if (reg.off >= MAX_VAR_OFF || reg.off <= -MAX_VAR_OFF) env.fail('EACCES', `${t} pointer offset ${reg.off} is not allowed`);
  if (reg.smin === S64_MIN) env.fail('EACCES', `math between ${t} pointer and register with unbounded min value is not allowed`);
  if (reg.smin >= MAX_VAR_OFF_B || reg.smin <= -MAX_VAR_OFF_B) env.fail('EACCES', `value ${reg.smin} makes ${t} pointer be out of bounds`);
}

/**
 * `dst = ptr OP off` where `ptr` is a pointer and `off` a scalar (either may be the destination
 * register). Throws with the kernel's message when the operation is not allowed.
 */
export function adjustPtr(env: Env, insn: Instruction, ptr: RegState, off: RegState, dst: RegState): void {
  const op = insn.opcode & 0xf0;
  const dstno = insn.dst;
  const known = isConst(off);
  const { smin: sminVal, smax: smaxVal, umin: uminVal, umax: umaxVal } = off;
  const { smin: sminPtr, smax: smaxPtr, umin: uminPtr, umax: umaxPtr } = ptr;
  const offVar = off.varOff;

  if ((known && (sminVal !== smaxVal || uminVal !== umaxVal)) || sminVal > smaxVal || uminVal > umaxVal) {
    // Bounds from a dead branch: the result is anything.
    markRegUnknown(env, dst);
    return;
  }
  if ((insn.opcode & 0x07) !== InsnClass.ALU64) {
    if (op === AluOp.SUB && env.caps.allowPtrLeaks) {
      markRegUnknown(env, dst);
      return;
    }
    env.fail('EACCES', `R${dstno} 32-bit pointer arithmetic prohibited`);
  }
  if (typeMayBeNull(ptr.type)) env.fail('EACCES', `R${dstno} pointer arithmetic on ${regTypeStr(ptr.type)} prohibited, null-check it first`);
  switch (baseType(ptr.type)) {
    case RegType.PTR_TO_CTX:
    case RegType.PTR_TO_MAP_VALUE:
    case RegType.PTR_TO_MAP_KEY:
    case RegType.PTR_TO_STACK:
    case RegType.PTR_TO_PACKET_META:
    case RegType.PTR_TO_PACKET:
    case RegType.PTR_TO_BTF_ID:
    case RegType.PTR_TO_MEM:
    case RegType.PTR_TO_FUNC:
      break;
    case RegType.PTR_TO_FLOW_KEYS:
      if (known) break;
      env.fail('EACCES', `R${dstno} pointer arithmetic on ${regTypeStr(ptr.type)} prohibited`);
      break;
    case RegType.CONST_PTR_TO_MAP:
      if (known && sminVal === 0n && op === AluOp.ADD) break;
      env.fail('EACCES', `R${dstno} pointer arithmetic on ${regTypeStr(ptr.type)} prohibited`);
      break;
    default:
      env.fail('EACCES', `R${dstno} pointer arithmetic on ${regTypeStr(ptr.type)} prohibited`);
  }
  checkSaneOffset(env, off, ptr.type);
  checkSaneOffset(env, ptr, ptr.type);

  const unprivX = !env.caps.bypassSpecV1 && (insn.opcode & 0x08) !== 0 && (op === AluOp.ADD || op === AluOp.SUB);
  if (unprivX) sanitizeBefore(env, insn, ptr, off, dst);

  const result = ptr === dst ? ptr : dst;
  const savedPtr = { type: ptr.type, id: ptr.id, off: ptr.off, varOff: ptr.varOff, range: ptr.range };
  if (result !== ptr) result.assignFrom(ptr);
  result.type = savedPtr.type;
  result.id = savedPtr.id;
  markUnbounded32(result);

  switch (op) {
    case AluOp.ADD: {
      const sum = savedPtr.off + Number(sminVal);
      if (known && Number.isSafeInteger(sum) && sum === (sum | 0)) {
        // Accumulate a known offset into the fixed part.
        result.smin = sminPtr;
        result.smax = smaxPtr;
        result.umin = uminPtr;
        result.umax = umaxPtr;
        result.varOff = savedPtr.varOff;
        result.off = sum;
        break;
      }
      const smin = sminPtr + sminVal;
      const smax = smaxPtr + smaxVal;
      if (smin < S64_MIN || smax > S64_MAX) {
        result.smin = S64_MIN;
        result.smax = S64_MAX;
      } else {
        result.smin = smin;
        result.smax = smax;
      }
      const umin = uminPtr + uminVal;
      const umax = umaxPtr + umaxVal;
      if (umin > U64_MAX || umax > U64_MAX) {
        result.umin = 0n;
        result.umax = U64_MAX;
      } else {
        result.umin = umin;
        result.umax = umax;
      }
      result.varOff = tnumAdd(savedPtr.varOff, offVar);
      result.off = savedPtr.off;
      if (isPktPointer(savedPtr.type)) {
        result.id = env.nextId();
        result.range = 0;
      }
      break;
    }
    case AluOp.SUB: {
      if (dst === off) env.fail('EACCES', `R${dstno} tried to subtract pointer from scalar`);
      if (savedPtr.type === RegType.PTR_TO_STACK) env.fail('EACCES', `R${dstno} subtraction from stack pointer prohibited`);
      const diff = savedPtr.off - Number(sminVal);
      if (known && Number.isSafeInteger(diff) && diff === (diff | 0)) {
        result.smin = sminPtr;
        result.smax = smaxPtr;
        result.umin = uminPtr;
        result.umax = umaxPtr;
        result.varOff = savedPtr.varOff;
        result.off = diff;
        break;
      }
      const smin = sminPtr - smaxVal;
      const smax = smaxPtr - sminVal;
      if (smin < S64_MIN || smax > S64_MAX) {
        result.smin = S64_MIN;
        result.smax = S64_MAX;
      } else {
        result.smin = smin;
        result.smax = smax;
      }
      if (uminPtr < umaxVal) {
        // Might underflow: anything.
        result.umin = 0n;
        result.umax = U64_MAX;
      } else {
        result.umin = uminPtr - umaxVal;
        result.umax = umaxPtr - uminVal;
      }
      result.varOff = tnumSub(savedPtr.varOff, offVar);
      result.off = savedPtr.off;
      if (isPktPointer(savedPtr.type)) {
        result.id = env.nextId();
        if (sminVal < 0n) result.range = 0;
      }
      break;
    }
    case AluOp.AND:
    case AluOp.OR:
    case AluOp.XOR:
      env.fail('EACCES', `R${dstno} bitwise operator ${aluOpString(op)} on pointer prohibited`);
      break;
    default:
      env.fail('EACCES', `R${dstno} pointer arithmetic with ${aluOpString(op)} operator prohibited`);
  }
  checkSaneOffset(env, result, savedPtr.type);
  regBoundsSync(result);
  if (!env.caps.bypassSpecV1) sanitizeCheckBounds(env, dstno, result);
}

/** Spectre v1: an unknown offset must have one sign, and only stack and map value pointers move by one. */
function sanitizeBefore(env: Env, insn: Instruction, ptr: RegState, off: RegState, dst: RegState): void {
  if (!isConst(off) && off.smin < 0n !== off.smax < 0n) {
    env.fail('EACCES', `R${off === dst ? insn.dst : insn.src} has unknown scalar with mixed signed bounds, ${UNPRIV}`);
  }
  const b = baseType(ptr.type);
  if (b !== RegType.PTR_TO_STACK && b !== RegType.PTR_TO_MAP_VALUE) {
    env.fail('EACCES', `R${off === dst ? insn.src : insn.dst} has pointer with unsupported alu operation, ${UNPRIV}`);
  }
}

/** Spectre v1: the result of the arithmetic must point inside its object (sanitize_check_bounds). */
function sanitizeCheckBounds(env: Env, dstno: number, reg: RegState): void {
  if (reg.type === RegType.PTR_TO_STACK) {
    const off = reg.off + Number(BigInt.asIntN(64, reg.varOff.value));
    if (!tnumIsConst(reg.varOff)) {
      env.fail('EACCES', `R${dstno} variable stack access prohibited for !root, var_off=${tnumString(reg.varOff)} off=${off}`);
    }
    if (off >= 0 || off < -512) env.fail('EACCES', `R${dstno} stack pointer arithmetic goes out of range, prohibited for !root; off=${off}`);
  } else if (reg.type === RegType.PTR_TO_MAP_VALUE) {
    try {
      checkMapAccess(env, reg, dstno, reg.off, 1, false);
    } catch (e) {
      env.verbose(`R${dstno} pointer arithmetic of map value goes out of range, prohibited for !root\n`);
      throw e;
    }
  }
}
