/**
 * State equivalence for pruning (the kernel's states_equal, regsafe, stacksafe, refsafe): a new
 * state is safe when an explored safe state covers it — every register and stack slot the
 * explored continuation read allows at least what the new state holds.
 *
 * Scalars the explored state never needed precise match any scalar (see precision.ts).
 */
import { Live, type RegState } from './reg.js';
import { RegType, baseType } from './reg-type.js';
import { type FuncState, REG_SIZE, type StackSlot, Stype, type VerifierState } from './state.js';
import { dynptrSlotsSafe } from './dynptr.js';
import { tnumIn } from './tnum.js';

/** NOT_EXACT uses liveness; RANGE_WITHIN compares everything by containment; EXACT by equality. */
export const Exact = { NOT_EXACT: 0, RANGE_WITHIN: 1, EXACT: 2 } as const;
export type Exact = (typeof Exact)[keyof typeof Exact];

/** A bijection between ids of the old and the new state (struct bpf_idmap). */
class IdMap {
  private readonly oldToCur = new Map<number, number>();
  private readonly curToOld = new Map<number, number>();
  private tmp = 1 << 30;

  check(oldId: number, curId: number): boolean {
    if (!oldId !== !curId) return false;
    if (!oldId) return true;
    const mapped = this.oldToCur.get(oldId);
    if (mapped !== undefined) return mapped === curId;
    if (this.curToOld.has(curId)) return false;
    this.oldToCur.set(oldId, curId);
    this.curToOld.set(curId, oldId);
    return true;
  }

  /** Scalars without an id get a fresh one, so an unlinked old register never matches a linked new one twice. */
  checkScalar(oldId: number, curId: number): boolean {
    return this.check(oldId || ++this.tmp, curId || ++this.tmp);
  }
}

const rangeWithin = (o: RegState, c: RegState): boolean =>
  o.umin <= c.umin && o.umax >= c.umax && o.smin <= c.smin && o.smax >= c.smax &&
  o.u32min <= c.u32min && o.u32max >= c.u32max && o.s32min <= c.s32min && o.s32max >= c.s32max;

/** The fields that identify what a pointer points to (the kernel's memcmp up to var_off). */
const samePointee = (o: RegState, c: RegState): boolean =>
  o.type === c.type && o.off === c.off && o.map === c.map && o.memSize === c.memSize && o.range === c.range &&
  o.btfId === c.btfId && o.subprogno === c.subprogno && o.frameno === c.frameno;

function regsExact(o: RegState, c: RegState, ids: IdMap): boolean {
  return samePointee(o, c) && o.varOff.value === c.varOff.value && o.varOff.mask === c.varOff.mask &&
    o.umin === c.umin && o.umax === c.umax && o.smin === c.smin && o.smax === c.smax &&
    o.u32min === c.u32min && o.u32max === c.u32max && o.s32min === c.s32min && o.s32max === c.s32max &&
    ids.check(o.id, c.id) && ids.check(o.refObjId, c.refObjId);
}

export function regsafe(o: RegState, c: RegState, ids: IdMap, exact: Exact, allPrecise: boolean): boolean {
  if (exact === Exact.EXACT) return regsExact(o, c, ids);
  if (!(o.live & Live.READ) && exact === Exact.NOT_EXACT) return true;
  if (o.type === RegType.NOT_INIT && (exact === Exact.NOT_EXACT || c.type === RegType.NOT_INIT)) return true;
  if (o.type !== c.type) return false;
  switch (baseType(o.type)) {
    case RegType.SCALAR:
      if (!o.precise && exact === Exact.NOT_EXACT && !allPrecise) return true;
      return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff) && ids.checkScalar(o.id, c.id);
    case RegType.PTR_TO_MAP_KEY:
    case RegType.PTR_TO_MAP_VALUE:
    case RegType.PTR_TO_MEM:
      return samePointee(o, c) && rangeWithin(o, c) && tnumIn(o.varOff, c.varOff) && ids.check(o.id, c.id) &&
        ids.check(o.refObjId, c.refObjId);
    case RegType.PTR_TO_PACKET:
    case RegType.PTR_TO_PACKET_META:
      if (o.range > c.range || o.off !== c.off || !ids.check(o.id, c.id)) return false;
      return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
    case RegType.PTR_TO_STACK:
      return regsExact(o, c, ids) && o.frameno === c.frameno;
    default:
      return regsExact(o, c, ids);
  }
}

function allMisc(slot: StackSlot, allowUninit: boolean): boolean {
  return slot.types.every((t) => t === Stype.MISC || (allowUninit && t === Stype.INVALID));
}

function scalarForStack(slot: StackSlot, allowUninit: boolean, unknown: RegState): RegState | null {
  if (slot.types[0] === Stype.SPILL && slot.spilled.type === RegType.SCALAR) return slot.spilled;
  if (allMisc(slot, allowUninit)) return unknown;
  return null;
}

function stacksafe(o: FuncState, c: FuncState, ids: IdMap, exact: Exact, allowUninit: boolean, unknown: RegState, allPrecise: boolean): boolean {
  const oldBytes = o.allocatedStack;
  const curBytes = c.allocatedStack;
  for (let i = 0; i < oldBytes; i++) {
    const spi = Math.floor(i / REG_SIZE);
    const j = i % REG_SIZE;
    const os = o.stack[spi]!;
    if (exact !== Exact.NOT_EXACT && (i >= curBytes || os.types[j] !== c.stack[spi]!.types[j])) return false;
    if (!(os.spilled.live & Live.READ) && exact === Exact.NOT_EXACT) {
      i += REG_SIZE - 1 - j;
      continue;
    }
    const ot = os.types[j]!;
    if (ot === Stype.INVALID) continue;
    if (allowUninit && ot === Stype.MISC) continue;
    if (i >= curBytes) return false;
    const cs = c.stack[spi]!;
    const oReg = scalarForStack(os, allowUninit, unknown);
    const cReg = scalarForStack(cs, allowUninit, unknown);
    if (oReg && cReg) {
      if (!regsafe(oReg, cReg, ids, exact, allPrecise)) return false;
      i += REG_SIZE - 1 - j;
      continue;
    }
    const ct = cs.types[j]!;
    if (ot === Stype.MISC && ct === Stype.ZERO) continue;
    if (ot !== ct) return false;
    if (j !== REG_SIZE - 1) continue;
    if (ot === Stype.SPILL && !regsafe(os.spilled, cs.spilled, ids, exact, allPrecise)) return false;
    if (ot === Stype.DYNPTR && !dynptrSlotsSafe(os, cs, ids)) return false;
  }
  return true;
}

function refsafe(o: VerifierState, c: VerifierState, ids: IdMap): boolean {
  if (o.refs.length !== c.refs.length) return false;
  if (!o.lock !== !c.lock || o.activeRcuLock !== c.activeRcuLock) return false;
  if (o.lock && c.lock && (o.lock.map !== c.lock.map || !ids.check(o.lock.id, c.lock.id))) return false;
  return o.refs.every((r, i) => ids.check(r.id, c.refs[i]!.id));
}

/**
 * Whether `cur` is covered by `old`. `unknown` is an unknown scalar register (the value of MISC
 * stack bytes) with READ liveness. `allPrecise` compares every scalar by value (no precision
 * tracking: loaders without CAP_BPF).
 */
export function statesEqual(old: VerifierState, cur: VerifierState, exact: Exact, allowUninit: boolean, unknown: RegState, allPrecise = false): boolean {
  if (old.curframe !== cur.curframe) return false;
  const ids = new IdMap();
  if (!refsafe(old, cur, ids)) return false;
  for (let f = 0; f <= old.curframe; f++) {
    const of = old.frames[f]!;
    const cf = cur.frames[f]!;
    if (of.callsite !== cf.callsite) return false;
    if (of.callbackDepth > cf.callbackDepth) return false;
    for (let i = 0; i < of.regs.length; i++) if (!regsafe(of.regs[i]!, cf.regs[i]!, ids, exact, allPrecise)) return false;
    if (!stacksafe(of, cf, ids, exact, allowUninit, unknown, allPrecise)) return false;
  }
  return true;
}

/** Quick check before an exact comparison: the current frames' registers are the same (states_maybe_looping). */
export function statesMaybeLooping(old: VerifierState, cur: VerifierState): boolean {
  if (old.curframe !== cur.curframe) return false;
  const o = old.cur.regs;
  const c = cur.cur.regs;
  for (let i = 0; i < o.length; i++) {
    const a = o[i]!;
    const b = c[i]!;
    if (!samePointee(a, b) || a.varOff.value !== b.varOff.value || a.varOff.mask !== b.varOff.mask || a.id !== b.id) return false;
  }
  return true;
}
