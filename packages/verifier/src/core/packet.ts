/**
 * Direct packet access (the kernel's check_packet_access, find_good_pkt_pointers and
 * try_match_pkt_pointers): a packet pointer may be dereferenced only within the range proved by
 * comparing a pointer derived from it against `data_end` (or `data` for the metadata area).
 */
import { InsnClass, type Instruction, JmpOp, Source } from '@bpfhive/uapi';
import type { Env } from './env.js';
import { MAX_PACKET_OFF } from './limits.js';
import { checkMemAccess } from './mem-region.js';
import { markRegInvalid } from './reg-access.js';
import type { RegState } from './reg.js';
import { RegType } from './reg-type.js';
import type { VerifierState } from './state.js';

/** Whether the program type may touch packet data directly (may_access_direct_pkt_data). */
export function mayAccessDirectPktData(env: Env, write: boolean): boolean {
  const p = env.spec.packet;
  return p === 'read_write' || (p === 'read' && !write);
}

/** `size` bytes at `off` (fixed offset included) from a packet pointer are inside the proved range. */
export function checkPacketAccess(env: Env, reg: RegState, regno: number, off: number, size: number, zeroOk: boolean): void {
  if (reg.smin < 0n) env.fail('EACCES', `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  try {
    checkMemAccess(env, reg, regno, off, size, reg.range, zeroOk);
  } catch (e) {
    env.verbose(`R${regno} offset is outside of the packet\n`);
    throw e;
  }
  const reach = off + Number(reg.umax) + size - 1;
  if (reach > env.maxPktOffset) env.maxPktOffset = reach;
}

/** Every register (and spilled register) of every frame, with a callback. */
export function forEachReg(state: VerifierState, fn: (reg: RegState) => void): void {
  for (const f of state.frames) {
    for (const r of f.regs) fn(r);
    for (const s of f.stack) if (s.isSpill) fn(s.spilled);
  }
}

/**
 * After `pkt' OP pkt_end` proved that `dst`'s bytes up to its offset are in the packet, every
 * pointer derived from the same packet pointer (same id) gets that range.
 */
function findGoodPktPointers(state: VerifierState, dst: RegState, type: number, rangeRightOpen: boolean): void {
  if (dst.off < 0) return;
  if (dst.umax > BigInt(MAX_PACKET_OFF) || dst.umax + BigInt(dst.off) > BigInt(MAX_PACKET_OFF)) return;
  const range = dst.off + (rangeRightOpen ? 1 : 0);
  if (range === 0) return;
  const id = dst.id;
  forEachReg(state, (r) => {
    if (r.type === type && r.id === id && r.range < range) r.range = range;
  });
}

const isInitPkt = (r: RegState, type: number): boolean => r.type === type && r.off === 0 && r.varOff.mask === 0n && r.varOff.value === 0n;

/**
 * Compares of two packet pointers: marks the ranges on the edges where they are proved. Returns
 * false when the operands are not a packet pointer and its end (then the compare is a pointer
 * comparison the caller judges). `fall` is the fall-through state, `jump` the taken one.
 */
export function tryMatchPktPointers(insn: Instruction, dst: RegState, src: RegState, fall: VerifierState, jump: VerifierState): boolean {
  if ((insn.opcode & 0x08) !== Source.X || (insn.opcode & 0x07) === InsnClass.JMP32) return false;
  const pktVsEnd = (dst.type === RegType.PTR_TO_PACKET && src.type === RegType.PTR_TO_PACKET_END) ||
    (dst.type === RegType.PTR_TO_PACKET_META && isInitPkt(src, RegType.PTR_TO_PACKET));
  const endVsPkt = (dst.type === RegType.PTR_TO_PACKET_END && src.type === RegType.PTR_TO_PACKET) ||
    (isInitPkt(dst, RegType.PTR_TO_PACKET) && src.type === RegType.PTR_TO_PACKET_META);
  const fallDst = regIn(fall, insn.dst);
  const fallSrc = regIn(fall, insn.src);
  const jumpDst = regIn(jump, insn.dst);
  const jumpSrc = regIn(jump, insn.src);
  switch (insn.opcode & 0xf0) {
    case JmpOp.JGT:
      // pkt' > end: the fall-through proves pkt' <= end.
      if (pktVsEnd) findGoodPktPointers(fall, fallDst, dst.type, false);
      else if (endVsPkt) findGoodPktPointers(jump, jumpSrc, src.type, true);
      else return false;
      return true;
    case JmpOp.JLT:
      if (pktVsEnd) findGoodPktPointers(jump, jumpDst, dst.type, true);
      else if (endVsPkt) findGoodPktPointers(fall, fallSrc, src.type, false);
      else return false;
      return true;
    case JmpOp.JGE:
      if (pktVsEnd) findGoodPktPointers(fall, fallDst, dst.type, true);
      else if (endVsPkt) findGoodPktPointers(jump, jumpSrc, src.type, false);
      else return false;
      return true;
    case JmpOp.JLE:
      if (pktVsEnd) findGoodPktPointers(jump, jumpDst, dst.type, false);
      else if (endVsPkt) findGoodPktPointers(fall, fallSrc, src.type, true);
      else return false;
      return true;
    default:
      return false;
  }
}

const regIn = (state: VerifierState, regno: number): RegState => state.cur.regs[regno]!;

/** Helpers that change packet data invalidate every packet pointer (clear_all_pkt_pointers). */
export function clearAllPktPointers(env: Env): void {
  forEachReg(env.cur, (r) => {
    if (r.type === RegType.PTR_TO_PACKET || r.type === RegType.PTR_TO_PACKET_META || r.type === RegType.PTR_TO_PACKET_END) {
      markRegInvalid(env, r);
    }
  });
}
