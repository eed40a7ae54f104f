/**
 * Conditional jumps (the kernel's check_cond_jmp_op): decided comparisons follow one edge only
 * (dead-branch pruning); undecided ones queue the taken edge and continue with the fall-through,
 * each edge knowing what the comparison implies: scalar bounds, copies of a scalar (same id),
 * `!= NULL` for maybe-null pointers, packet ranges.
 */
import { findPrevEntry, markChainPrecision, widenImpreciseScalars } from './precision.js';
import { InsnClass, type Instruction, JmpOp, Source } from '@bpfhive/uapi';
import { boundsSane, markKnown, markScalarUnknown } from './bounds.js';
import type { Env } from './env.js';
import { dropPushed, pushStack } from './explore.js';
import { forEachReg, tryMatchPktPointers } from './packet.js';
import { SRC_OP, checkRegArg, isPointer, isPointerValue } from './reg-access.js';
import { RegState } from './reg.js';
import { RegFlag, RegType, baseType, isPktPointerAny, typeMayBeNull } from './reg-type.js';
import { releaseReferenceState } from './refs.js';
import { flipCond, refineCond, regConstValue, regIsConst, reverseCond, scalarBranchTaken } from './scalar-cond.js';
import type { VerifierState } from './state.js';

/** Scratch register for immediate operands (never escapes a call of checkCondJmp). */
const IMM = new RegState();

function markScalarUnknownKnown(r: RegState, v: bigint): void {
  markScalarUnknown(r);
  markKnown(r, v);
}

/** Whether `a OP b` holds for known values (JMP: 64-bit, JMP32: the low halves). */
function constCondHolds(op: number, a: bigint, b: bigint, is32: boolean): boolean {
  const bits = is32 ? 32 : 64;
  const ua = BigInt.asUintN(bits, a);
  const ub = BigInt.asUintN(bits, b);
  switch (op) {
    case JmpOp.JEQ: return ua === ub;
    case JmpOp.JNE: return ua !== ub;
    case JmpOp.JSET: return (ua & ub) !== 0n;
    case JmpOp.JGT: return ua > ub;
    case JmpOp.JGE: return ua >= ub;
    case JmpOp.JLT: return ua < ub;
    case JmpOp.JLE: return ua <= ub;
    case JmpOp.JSGT: return BigInt.asIntN(bits, ua) > BigInt.asIntN(bits, ub);
    case JmpOp.JSGE: return BigInt.asIntN(bits, ua) >= BigInt.asIntN(bits, ub);
    case JmpOp.JSLT: return BigInt.asIntN(bits, ua) < BigInt.asIntN(bits, ub);
    case JmpOp.JSLE: return BigInt.asIntN(bits, ua) <= BigInt.asIntN(bits, ub);
    default: return false;
  }
}

/** The result of a jump: where the current path continues, or that it ended (an impossible edge). */
export type JumpOutcome = number | 'dead';

/** Pointers known not to be NULL (reg_not_null): context and stack pointers are not among them. */
function regNotNull(r: RegState): boolean {
  if (typeMayBeNull(r.type)) return false;
  switch (baseType(r.type)) {
    case RegType.PTR_TO_SOCKET:
    case RegType.PTR_TO_TCP_SOCK:
    case RegType.PTR_TO_MAP_VALUE:
    case RegType.PTR_TO_MAP_KEY:
    case RegType.PTR_TO_SOCK_COMMON:
    case RegType.PTR_TO_MEM:
    case RegType.CONST_PTR_TO_MAP:
      return true;
    default:
      return false;
  }
}

function pointerBranchTaken(r1: RegState, r2: RegState, op: number, is32: boolean): -1 | 0 | 1 {
  let a = r1;
  let b = r2;
  let o = op;
  if (!regIsConst(b, is32)) {
    o = flipCond(o);
    [a, b] = [b, a];
  }
  if (!regIsConst(b, is32) || b.type !== RegType.SCALAR) return -1;
  if (regConstValue(b, is32) !== 0n) return -1;
  // A pointer that cannot be NULL is never equal to 0.
  if (!regNotNull(a)) return -1;
  if (o === JmpOp.JEQ) return 0;
  if (o === JmpOp.JNE) return 1;
  return -1;
}

function branchTaken(r1: RegState, r2: RegState, op: number, is32: boolean): -1 | 0 | 1 {
  if (isPktPointerAny(r1.type) && isPktPointerAny(r2.type) && !is32) return -1;
  if (isPointer(r1) || isPointer(r2)) return pointerBranchTaken(r1, r2, op, is32);
  return scalarBranchTaken(r1, r2, op, is32);
}

/** Every copy of a scalar (same id) learns what `known` learned (sync_linked_regs). */
function syncLinkedRegs(state: VerifierState, known: RegState): void {
  if (known.type !== RegType.SCALAR || !known.id) return;
  forEachReg(state, (r) => {
    if (r !== known && r.type === RegType.SCALAR && r.id === known.id) r.assignFrom(known);
  });
}

/** Notes in the history which copies of the operands a jump refined, for precision backtracking. */
function recordLinked(env: Env, dst: RegState, src: RegState | null): void {
  const ids = [dst.id, src?.id ?? 0].filter((id) => id !== 0);
  if (!ids.length) return;
  let mask = 0;
  env.frame.regs.forEach((r, i) => {
    if (r.type === RegType.SCALAR && ids.includes(r.id)) mask |= 1 << i;
  });
  let spilled = false;
  forEachReg(env.cur, (r) => {
    if (r.type === RegType.SCALAR && ids.includes(r.id) && !env.frame.regs.includes(r)) spilled = true;
  });
  env.recordLinked(mask, spilled);
}

/** A maybe-null pointer compared with 0: NULL on one edge, a valid pointer on the other. */
function markPtrOrNull(state: VerifierState, regno: number, isNullEdge: boolean): void {
  const reg = state.cur.regs[regno]!;
  const id = reg.id;
  const refObjId = reg.refObjId;
  if (refObjId && refObjId === id && isNullEdge) releaseReferenceState(state, id);
  forEachReg(state, (r) => {
    if (!typeMayBeNull(r.type) || r.id !== id) return;
    if (isNullEdge) {
      r.type = RegType.SCALAR;
      markKnown(r, 0n);
      r.id = 0;
      r.refObjId = 0;
      r.map = null;
      r.memSize = 0;
      return;
    }
    markPtrNotNull(r);
    const keepsId = baseType(r.type) === RegType.PTR_TO_MAP_VALUE && r.map?.spinLockOff !== undefined;
    if (!keepsId) r.id = 0;
  });
}

/** Drops PTR_MAYBE_NULL; a map-in-map lookup becomes the inner map (mark_ptr_not_null_reg). */
export function markPtrNotNull(r: RegState): void {
  if (baseType(r.type) === RegType.PTR_TO_MAP_VALUE && r.map) {
    const map = r.map;
    if (map.inner) {
      r.type = RegType.CONST_PTR_TO_MAP;
      r.map = map.inner;
    } else if (map.type === 17 /* XSKMAP */) {
      r.type = RegType.PTR_TO_XDP_SOCK;
    } else if (map.type === 15 /* SOCKMAP */ || map.type === 18 /* SOCKHASH */) {
      r.type = RegType.PTR_TO_SOCKET;
    } else {
      r.type = RegType.PTR_TO_MAP_VALUE;
    }
    return;
  }
  r.type &= ~RegFlag.MAYBE_NULL;
}

/** Checks a conditional jump at `idx` and returns the next instruction of the current path. */
export function checkCondJmp(env: Env, insn: Instruction, idx: number, printState: () => void): JumpOutcome {
  const is32 = (insn.opcode & 0x07) === InsnClass.JMP32;
  const op = insn.opcode & 0xf0;
  const x = (insn.opcode & 0x08) === Source.X;
  const target = idx + insn.off + 1;

  if (op === JmpOp.JCOND) {
    // may_goto: the current path leaves the loop, the queued one goes round again.
    const queued = pushStack(env, idx + 1, idx);
    queued.mayGotoDepth++;
    const prev = findPrevEntry(env.cur, idx);
    if (prev) widenImpreciseScalars(prev, queued);
    return target;
  }

  checkRegArg(env, insn.dst, SRC_OP);
  const regs = env.regs;
  const dst = regs[insn.dst]!;
  let src: RegState;
  if (x) {
    checkRegArg(env, insn.src, SRC_OP);
    src = regs[insn.src]!;
    if (!(isPktPointerAny(dst.type) && isPktPointerAny(src.type)) && isPointerValue(env, src)) {
      env.fail('EACCES', `R${insn.src} pointer comparison prohibited`);
    }
  } else {
    if (dst.type === RegType.SCALAR && dst.varOff.mask === 0n) {
      // A known value against an immediate: decided without the bounds machinery.
      markChainPrecision(env, insn.dst);
      printState();
      return constCondHolds(op, dst.varOff.value, BigInt(insn.imm), is32) ? target : idx + 1;
    }
    src = IMM;
    markScalarUnknownKnown(src, BigInt(insn.imm));
  }

  const pred = branchTaken(dst, src, op, is32);
  if (pred !== -1) {
    if (dst.type === RegType.SCALAR) markChainPrecision(env, insn.dst);
    if (x && src.type === RegType.SCALAR) markChainPrecision(env, insn.src);
  }
  if (pred === 1) {
    printState();
    return target;
  }
  if (pred === 0) {
    printState();
    return idx + 1;
  }

  const other = pushStack(env, target, idx);
  const fall = env.cur;
  const oRegs = other.cur.regs;
  let jumpDead = false;
  let fallDead = false;
  if (dst.type === RegType.SCALAR && src.type === RegType.SCALAR) {
    const oDst = oRegs[insn.dst]!;
    const oSrc = x ? oRegs[insn.src]! : src.clone();
    const fSrc = x ? src : src.clone();
    refineCond(oDst, oSrc, op, is32);
    refineCond(dst, fSrc, reverseCond(op), is32);
    jumpDead = !boundsSane(oDst) || !boundsSane(oSrc);
    fallDead = !boundsSane(dst) || !boundsSane(fSrc);
    recordLinked(env, dst, x ? src : null);
    if (x) {
      syncLinkedRegs(other, oSrc);
      syncLinkedRegs(fall, src);
    }
    syncLinkedRegs(other, oDst);
    syncLinkedRegs(fall, dst);
  }

  if (!is32 && x && isPointer(src) && isPointer(dst) && typeMayBeNull(src.type) !== typeMayBeNull(dst.type) &&
    baseType(src.type) !== RegType.PTR_TO_BTF_ID && baseType(dst.type) !== RegType.PTR_TO_BTF_ID) {
    const eq = op === JmpOp.JEQ ? other : op === JmpOp.JNE ? fall : null;
    if (eq) markPtrNotNull(eq.cur.regs[typeMayBeNull(src.type) ? insn.src : insn.dst]!);
  }

  if (!is32 && !x && insn.imm === 0 && (op === JmpOp.JEQ || op === JmpOp.JNE) && typeMayBeNull(dst.type)) {
    markPtrOrNull(fall, insn.dst, op === JmpOp.JNE);
    markPtrOrNull(other, insn.dst, op === JmpOp.JEQ);
  } else if (!tryMatchPktPointers(insn, dst, src, fall, other) && isPointerValue(env, dst)) {
    env.fail('EACCES', `R${insn.dst} pointer comparison prohibited`);
  }
  printState();
  if (jumpDead) dropPushed(env, other);
  if (fallDead) return 'dead';
  return idx + 1;
}
