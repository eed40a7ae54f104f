/**
 * Control-flow checks done before any state is explored (the kernel's add_subprog_and_kfunc,
 * check_subprogs and check_cfg):
 *
 * - subprograms start at insn 0 and at every target of a bpf-to-bpf call or `lddw rX, func`;
 * - jumps stay inside their subprogram and the last instruction of each is an exit or a jump;
 * - every instruction is reachable from insn 0, no jump lands in the second slot of a `lddw`;
 * - loops (back-edges) only when the loader has CAP_BPF ("back-edge from insn X to Y").
 *
 * It also marks where explored states are kept (prune points, checkpoints), as visit_insn() does.
 */
import { CALL, EXIT, InsnClass, JA, JA32, JmpOp, LD_IMM64, PseudoCall, PseudoLdImm64 } from '@bpfhive/uapi';
import { VerifierError } from './errors.js';
import type { Slots } from './slots.js';

/** Per-instruction flags computed here. */
export interface CfgAux {
  /** Explored states are looked up here. */
  prunePoint: boolean;
  /** A state is always kept here (may_goto, callback-calling helpers). */
  forceCheckpoint: boolean;
  /** A helper call that calls a subprogram back (bpf_loop, for_each_map_elem…). */
  callsCallback: boolean;
}

export interface Cfg {
  /** Sorted subprogram start indices; [0] is 0. */
  readonly subprogStarts: readonly number[];
  readonly aux: readonly CfgAux[];
}

/** Helpers whose callback argument makes them call a subprogram synchronously. */
export const SYNC_CALLBACK_HELPERS = new Set([164 /* for_each_map_elem */, 181 /* loop */, 180 /* find_vma */, 209 /* user_ringbuf_drain */]);

const MAX_SUBPROGS = 256;

const isPseudoCall = (i: { opcode: number; src: number }): boolean => i.opcode === CALL && i.src === PseudoCall.LOCAL;
const isPseudoFunc = (i: { opcode: number; src: number }): boolean => i.opcode === LD_IMM64 && i.src === PseudoLdImm64.FUNC;

/** Finds subprograms and checks jumps; throws VerifierError (EINVAL, EPERM, E2BIG). */
export function checkCfg(slots: Slots, bpfCapable: boolean): Cfg {
  const len = slots.length;
  const starts = new Set<number>([0]);
  slots.forEach((insn, i) => {
    if (!insn) return;
    if (insn.opcode === CALL && insn.src === PseudoCall.KFUNC) {
      if (!bpfCapable) fail('EPERM', 'loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN');
      return;
    }
    if (!isPseudoCall(insn) && !isPseudoFunc(insn)) return;
    if (!bpfCapable) fail('EPERM', 'loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN');
    const target = i + insn.imm + 1;
    if (target < 0 || target >= len) fail('EINVAL', 'call to invalid destination');
    starts.add(target);
    if (starts.size > MAX_SUBPROGS) fail('E2BIG', 'too many subprograms');
  });
  const subprogStarts = [...starts].sort((a, b) => a - b);
  checkSubprogs(slots, subprogStarts);
  const aux = slots.map(() => ({ prunePoint: false, forceCheckpoint: false, callsCallback: false }));
  walk(slots, aux, bpfCapable);
  return { subprogStarts, aux };
}

function fail(errno: 'EINVAL' | 'EPERM' | 'E2BIG', message: string): never {
  throw new VerifierError(errno, message);
}

/** Jump target of a jump instruction at `i` (JA32 uses imm). */
const jumpTarget = (i: number, insn: { opcode: number; off: number; imm: number }): number =>
  insn.opcode === JA32 ? i + insn.imm + 1 : i + insn.off + 1;

function checkSubprogs(slots: Slots, starts: readonly number[]): void {
  let sub = 0;
  let subStart = starts[0]!;
  let subEnd = starts[1] ?? slots.length;
  for (let i = 0; i < slots.length; i++) {
    const insn = slots[i];
    const cls = insn ? insn.opcode & 0x07 : InsnClass.LD;
    if (insn && (cls === InsnClass.JMP || cls === InsnClass.JMP32)) {
      const op = insn.opcode & 0xf0;
      if (op !== JmpOp.EXIT && op !== JmpOp.CALL) {
        const off = jumpTarget(i, insn);
        if (off < subStart || off >= subEnd) fail('EINVAL', `jump out of range from insn ${i} to ${off}`);
      }
    }
    if (i === subEnd - 1) {
      const code = insn?.opcode ?? 0;
      if (code !== EXIT && code !== JA && code !== JA32) fail('EINVAL', 'last insn is not an exit or jmp');
      sub++;
      subStart = subEnd;
      subEnd = starts[sub + 1] ?? slots.length;
    }
  }
}

const DISCOVERED = 0x10;
const EXPLORED = 0x20;
const FALLTHROUGH = 1;
const BRANCH = 2;

/** Depth-first walk from insn 0 (check_cfg/visit_insn/push_insn). */
function walk(slots: Slots, aux: CfgAux[], bpfCapable: boolean): void {
  const len = slots.length;
  const state = new Uint8Array(len);
  const stack: number[] = [0];
  state[0] = DISCOVERED;

  /** 0: edge done, 1: a new instruction was pushed. */
  const push = (t: number, w: number, e: number): 0 | 1 => {
    if (e === FALLTHROUGH && state[t]! >= (DISCOVERED | FALLTHROUGH)) return 0;
    if (e === BRANCH && state[t]! >= (DISCOVERED | BRANCH)) return 0;
    if (w < 0 || w >= len) fail('EINVAL', `jump out of range from insn ${t} to ${w}`);
    if (e === BRANCH) aux[w]!.prunePoint = true;
    if (state[w] === 0) {
      state[t] = DISCOVERED | e;
      state[w] = DISCOVERED;
      stack.push(w);
      return 1;
    }
    if ((state[w]! & 0xf0) === DISCOVERED) {
      if (bpfCapable) return 0;
      fail('EINVAL', `back-edge from insn ${t} to ${w}`);
    }
    state[t] = DISCOVERED | e;
    return 0;
  };

  const visitCall = (t: number, size: number, callee: boolean): 0 | 1 => {
    if (push(t, t + size, FALLTHROUGH)) return 1;
    if (t + size < len) aux[t + size]!.prunePoint = true;
    if (callee) {
      aux[t]!.prunePoint = true;
      return push(t, t + slots[t]!.imm + 1, BRANCH);
    }
    return 0;
  };

  const visit = (t: number): 0 | 1 => {
    const insn = slots[t];
    if (!insn) fail('EINVAL', `jump into the middle of ldimm64 insn ${t - 1}`);
    if (isPseudoFunc(insn)) return visitCall(t, 2, true);
    const cls = insn.opcode & 0x07;
    if (cls !== InsnClass.JMP && cls !== InsnClass.JMP32) return push(t, t + (insn.opcode === LD_IMM64 ? 2 : 1), FALLTHROUGH);
    const op = insn.opcode & 0xf0;
    switch (op) {
      case JmpOp.EXIT:
        return 0;
      case JmpOp.CALL:
        if (insn.src === PseudoCall.HELPER && (insn.opcode & 0x08) === 0 && SYNC_CALLBACK_HELPERS.has(insn.imm)) {
          aux[t]!.callsCallback = true;
          aux[t]!.forceCheckpoint = true;
          aux[t]!.prunePoint = true;
        }
        return visitCall(t, 1, insn.src === PseudoCall.LOCAL);
      case JmpOp.JA: {
        const w = jumpTarget(t, insn);
        if (push(t, w, FALLTHROUGH)) return 1;
        if (w >= 0 && w < len) aux[w]!.prunePoint = true;
        return 0;
      }
      default:
        aux[t]!.prunePoint = true;
        if (op === JmpOp.JCOND) aux[t]!.forceCheckpoint = true;
        if (push(t, t + 1, FALLTHROUGH)) return 1;
        return push(t, t + insn.off + 1, BRANCH);
    }
  };

  while (stack.length > 0) {
    const t = stack[stack.length - 1]!;
    if (visit(t) === 0) {
      state[t] = EXPLORED;
      stack.pop();
    }
  }

  for (let i = 0; i < len; i++) {
    const insn = slots[i];
    if (state[i] !== EXPLORED) fail('EINVAL', `unreachable insn ${i}`);
    if (insn && insn.opcode === LD_IMM64) {
      if (state[i + 1] !== 0) fail('EINVAL', `jump into the middle of ldimm64 insn ${i}`);
      i++;
    }
  }
}
