/**
 * Conditional jumps on scalars: deciding a comparison from what is known (is_scalar_branch_taken)
 * and learning from each edge (regs_refine_cond_op), in 64-bit (JMP) and 32-bit (JMP32) widths.
 *
 * Opcodes are the JmpOp values; JSET_NOT stands for the fall-through edge of JSET ("no bit of the
 * operand is set"), as the kernel's rev_opcode() makes it.
 */
import { JmpOp } from '@bpfhive/uapi';
import { isConst, isConst32, regBoundsSync } from './bounds.js';
import type { RegState } from './reg.js';
import { tnumAnd, tnumConst, tnumIntersect, tnumIsConst, tnumOr, tnumSubreg, tnumWithSubreg } from './tnum.js';
import { U64_MAX } from './u64.js';

/** The fall-through edge of JSET. */
export const JSET_NOT = 0xf8;

/** The opcode that holds on the other edge (rev_opcode). */
export function reverseCond(op: number): number {
  switch (op) {
    case JmpOp.JEQ: return JmpOp.JNE;
    case JmpOp.JNE: return JmpOp.JEQ;
    case JmpOp.JSET: return JSET_NOT;
    case JSET_NOT: return JmpOp.JSET;
    case JmpOp.JGT: return JmpOp.JLE;
    case JmpOp.JLE: return JmpOp.JGT;
    case JmpOp.JGE: return JmpOp.JLT;
    case JmpOp.JLT: return JmpOp.JGE;
    case JmpOp.JSGT: return JmpOp.JSLE;
    case JmpOp.JSLE: return JmpOp.JSGT;
    case JmpOp.JSGE: return JmpOp.JSLT;
    case JmpOp.JSLT: return JmpOp.JSGE;
    default: return op;
  }
}

/** The opcode with its operands swapped (flip_opcode): `a > b` is `b < a`. */
export function flipCond(op: number): number {
  switch (op) {
    case JmpOp.JGT: return JmpOp.JLT;
    case JmpOp.JLT: return JmpOp.JGT;
    case JmpOp.JGE: return JmpOp.JLE;
    case JmpOp.JLE: return JmpOp.JGE;
    case JmpOp.JSGT: return JmpOp.JSLT;
    case JmpOp.JSLT: return JmpOp.JSGT;
    case JmpOp.JSGE: return JmpOp.JSLE;
    case JmpOp.JSLE: return JmpOp.JSGE;
    default: return op;
  }
}

export const regIsConst = (r: RegState, is32: boolean): boolean => (is32 ? isConst32(r) : isConst(r));
export const regConstValue = (r: RegState, is32: boolean): bigint => (is32 ? r.varOff.value & 0xffff_ffffn : r.varOff.value);

/** 1 when the jump is always taken, 0 when never, -1 when it depends. */
export function scalarBranchTaken(r1: RegState, r2: RegState, op: number, is32: boolean): -1 | 0 | 1 {
  const t1 = is32 ? tnumSubreg(r1.varOff) : r1.varOff;
  const t2 = is32 ? tnumSubreg(r2.varOff) : r2.varOff;
  const umin1 = is32 ? BigInt(r1.u32min) : r1.umin;
  const umax1 = is32 ? BigInt(r1.u32max) : r1.umax;
  const smin1 = is32 ? BigInt(r1.s32min) : r1.smin;
  const smax1 = is32 ? BigInt(r1.s32max) : r1.smax;
  const umin2 = is32 ? BigInt(r2.u32min) : r2.umin;
  const umax2 = is32 ? BigInt(r2.u32max) : r2.umax;
  const smin2 = is32 ? BigInt(r2.s32min) : r2.smin;
  const smax2 = is32 ? BigInt(r2.s32max) : r2.smax;
  const disjoint = (): boolean =>
    umin1 > umax2 || umax1 < umin2 || smin1 > smax2 || smax1 < smin2 ||
    (!is32 && (r1.u32min > r2.u32max || r1.u32max < r2.u32min || r1.s32min > r2.s32max || r1.s32max < r2.s32min)) ||
    ((t1.value ^ t2.value) & ~t1.mask & ~t2.mask) !== 0n;
  switch (op) {
    case JmpOp.JEQ:
      if (tnumIsConst(t1) && tnumIsConst(t2)) return t1.value === t2.value ? 1 : 0;
      return disjoint() ? 0 : -1;
    case JmpOp.JNE:
      if (tnumIsConst(t1) && tnumIsConst(t2)) return t1.value !== t2.value ? 1 : 0;
      return disjoint() ? 1 : -1;
    case JmpOp.JSET:
    case JSET_NOT: {
      let a = t1;
      let b = t2;
      if (!tnumIsConst(b)) [a, b] = [b, a];
      if (!tnumIsConst(b)) return -1;
      let r: -1 | 0 | 1 = -1;
      if (a.value & ~a.mask & b.value) r = 1;
      else if (((a.mask | a.value) & b.value) === 0n) r = 0;
      if (op === JSET_NOT && r !== -1) r = r === 1 ? 0 : 1;
      return r;
    }
    case JmpOp.JGT: return umin1 > umax2 ? 1 : umax1 <= umin2 ? 0 : -1;
    case JmpOp.JSGT: return smin1 > smax2 ? 1 : smax1 <= smin2 ? 0 : -1;
    case JmpOp.JLT: return umax1 < umin2 ? 1 : umin1 >= umax2 ? 0 : -1;
    case JmpOp.JSLT: return smax1 < smin2 ? 1 : smin1 >= smax2 ? 0 : -1;
    case JmpOp.JGE: return umin1 >= umax2 ? 1 : umax1 < umin2 ? 0 : -1;
    case JmpOp.JSGE: return smin1 >= smax2 ? 1 : smax1 < smin2 ? 0 : -1;
    case JmpOp.JLE: return umax1 <= umin2 ? 1 : umin1 > umax2 ? 0 : -1;
    case JmpOp.JSLE: return smax1 <= smin2 ? 1 : smin1 > smax2 ? 0 : -1;
    default: return -1;
  }
}

const isPow2 = (v: bigint): boolean => v !== 0n && (v & (v - 1n)) === 0n;

/**
 * Narrows `a` and `b` to the values for which `a OP b` holds (regs_refine_cond_op), then syncs
 * their bounds. Only called when the outcome is undecided, so the ±1 steps cannot wrap.
 */
export function refineCond(a: RegState, b: RegState, op: number, is32: boolean): void {
  let r1 = a;
  let r2 = b;
  let o = op;
  if (o === JmpOp.JGE || o === JmpOp.JGT || o === JmpOp.JSGE || o === JmpOp.JSGT) {
    o = flipCond(o);
    [r1, r2] = [r2, r1];
  }
  switch (o) {
    case JmpOp.JEQ:
      if (is32) {
        r1.u32min = r2.u32min = Math.max(r1.u32min, r2.u32min);
        r1.u32max = r2.u32max = Math.min(r1.u32max, r2.u32max);
        r1.s32min = r2.s32min = Math.max(r1.s32min, r2.s32min);
        r1.s32max = r2.s32max = Math.min(r1.s32max, r2.s32max);
        const t = tnumIntersect(tnumSubreg(r1.varOff), tnumSubreg(r2.varOff));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
        r2.varOff = tnumWithSubreg(r2.varOff, t);
      } else {
        r1.umin = r2.umin = r1.umin > r2.umin ? r1.umin : r2.umin;
        r1.umax = r2.umax = r1.umax < r2.umax ? r1.umax : r2.umax;
        r1.smin = r2.smin = r1.smin > r2.smin ? r1.smin : r2.smin;
        r1.smax = r2.smax = r1.smax < r2.smax ? r1.smax : r2.smax;
        r1.varOff = r2.varOff = tnumIntersect(r1.varOff, r2.varOff);
      }
      break;
    case JmpOp.JNE: {
      if (!regIsConst(r2, is32)) [r1, r2] = [r2, r1];
      if (!regIsConst(r2, is32)) break;
      const v = regConstValue(r2, is32);
      if (is32) {
        const u = Number(v);
        const s = u | 0;
        if (r1.u32min === u) r1.u32min++;
        if (r1.u32max === u) r1.u32max--;
        if (r1.s32min === s) r1.s32min++;
        if (r1.s32max === s) r1.s32max--;
      } else {
        const s = BigInt.asIntN(64, v);
        if (r1.umin === v) r1.umin++;
        if (r1.umax === v) r1.umax--;
        if (r1.smin === s) r1.smin++;
        if (r1.smax === s) r1.smax--;
      }
      break;
    }
    case JmpOp.JSET: {
      if (!regIsConst(r2, is32)) [r1, r2] = [r2, r1];
      if (!regIsConst(r2, is32)) break;
      const v = regConstValue(r2, is32);
      // Only one possible bit tells which bit is set.
      if (!isPow2(v)) break;
      if (is32) r1.varOff = tnumWithSubreg(r1.varOff, tnumOr(tnumSubreg(r1.varOff), tnumConst(v)));
      else r1.varOff = tnumOr(r1.varOff, tnumConst(v));
      break;
    }
    case JSET_NOT: {
      if (!regIsConst(r2, is32)) [r1, r2] = [r2, r1];
      if (!regIsConst(r2, is32)) break;
      const v = regConstValue(r2, is32);
      if (is32) r1.varOff = tnumWithSubreg(r1.varOff, tnumAnd(tnumSubreg(r1.varOff), tnumConst(~v & 0xffff_ffffn)));
      else r1.varOff = tnumAnd(r1.varOff, tnumConst(~v & U64_MAX));
      break;
    }
    case JmpOp.JLE:
      if (is32) {
        r1.u32max = Math.min(r1.u32max, r2.u32max);
        r2.u32min = Math.max(r1.u32min, r2.u32min);
      } else {
        if (r2.umax < r1.umax) r1.umax = r2.umax;
        if (r1.umin > r2.umin) r2.umin = r1.umin;
      }
      break;
    case JmpOp.JLT:
      if (is32) {
        r1.u32max = Math.min(r1.u32max, r2.u32max - 1);
        r2.u32min = Math.max(r1.u32min + 1, r2.u32min);
      } else {
        if (r2.umax - 1n < r1.umax) r1.umax = r2.umax - 1n;
        if (r1.umin + 1n > r2.umin) r2.umin = r1.umin + 1n;
      }
      break;
    case JmpOp.JSLE:
      if (is32) {
        r1.s32max = Math.min(r1.s32max, r2.s32max);
        r2.s32min = Math.max(r1.s32min, r2.s32min);
      } else {
        if (r2.smax < r1.smax) r1.smax = r2.smax;
        if (r1.smin > r2.smin) r2.smin = r1.smin;
      }
      break;
    case JmpOp.JSLT:
      if (is32) {
        r1.s32max = Math.min(r1.s32max, r2.s32max - 1);
        r2.s32min = Math.max(r1.s32min + 1, r2.s32min);
      } else {
        if (r2.smax - 1n < r1.smax) r1.smax = r2.smax - 1n;
        if (r1.smin + 1n > r2.smin) r2.smin = r1.smin + 1n;
      }
      break;
    default:
      return;
  }
  regBoundsSync(a);
  regBoundsSync(b);
}
