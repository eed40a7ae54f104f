/**
 * The exploration loop (the kernel's do_check): runs every path of the program instruction by
 * instruction on abstract states, pruning at prune points, logging as the kernel logs at levels
 * 1 and 2, until every path reached an exit or was pruned. Throws VerifierError on the first
 * unsafe instruction.
 */
import { EXIT, InsnClass, type Instruction, JA32, JmpOp, Mode, PseudoCall, HelperId, isWide } from '@bpfhive/uapi';
import { checkAlu } from './check-alu.js';
import { checkAtomic } from './check-atomic.js';
import { checkCondJmp } from './check-jmp.js';
import { checkLdAbs, checkLdImm } from './check-ld.js';
import { checkLoad, checkStore } from './check-mem.js';
import { checkFuncCall, checkReturnCode, prepareFuncExit } from './calls.js';
import type { Env } from './env.js';
import { popStack, updateBranchCounts } from './explore.js';
import { checkHelperCall } from './helper-call.js';
import { checkKfuncCall } from './kfunc.js';
import { COMPLEXITY_LIMIT_INSNS } from './limits.js';
import { histEntry } from './history.js';
import { printInsn } from './print-insn.js';
import { frameString } from './print-state.js';
import { isStateVisited } from './prune.js';
import { checkResourceLeak } from './refs.js';

/** How the current path continues after an instruction. */
type Next = number | 'exit' | 'dead';

/** Column where `; R0=…` starts after an instruction printed in `len` characters (vlog_alignment). */
const vlogAlignment = (len: number): number => Math.ceil(Math.max(len + 4, 40) / 8) * 8 - len - 1;

/** Prints what changed since the last print, on the instruction's line when nothing came between (print_insn_state). */
export function printInsnState(env: Env): void {
  if (!env.log.enabled) return;
  if (env.prevLogPos && env.prevLogPos === env.log.pos) {
    env.log.reset(env.prevLogPos - 1);
    env.verbose(`${' '.repeat(vlogAlignment(env.prevInsnPrintPos))};`);
  } else {
    env.verbose(`${env.insnIdx}:`);
  }
  env.verbose(frameString(env.frame, { all: false, regs: env.scratchedRegs, slots: env.scratchedSlots }, env.cur.refs, env.btfName));
  env.clearScratched();
}

export function doCheck(env: Env): void {
  const log = env.log;
  let doPrintState = false;
  for (;;) {
    const idx = env.insnIdx;
    const insn = env.slots[idx];
    if (!insn) env.fail('EFAULT', `invalid insn idx ${idx} insn_cnt ${env.slots.length}`);
    if (++env.insnProcessed > COMPLEXITY_LIMIT_INSNS) {
      env.fail('E2BIG', `BPF program is too large. Processed ${env.insnProcessed} insn`);
    }
    if (env.aux[idx]!.prunePoint && isStateVisited(env, idx)) {
      if (log.enabled) {
        if (doPrintState) env.verbose(`\nfrom ${env.prevInsnIdx} to ${idx}: safe\n`);
        else env.verbose(`${idx}: safe\n`);
      }
      if (!endPath(env)) return;
      doPrintState = true;
      continue;
    }
    if (log.level2 && doPrintState) {
      env.verbose(`\nfrom ${env.prevInsnIdx} to ${idx}:`);
      env.verbose(frameString(env.frame, { all: true, regs: 0, slots: 0n }, env.cur.refs, env.btfName));
      doPrintState = false;
    }
    if (log.enabled) {
      if (env.scratched) printInsnState(env);
      env.verboseLinfo(idx, '; ');
      env.prevLogPos = log.pos;
      env.verbose(`${idx}: ${printInsn(insn, (id) => env.opts.kernel.funcs.get(id)?.name)}\n`);
      env.prevInsnPrintPos = log.pos - env.prevLogPos;
      env.prevLogPos = log.pos;
    }
    env.cur.hist.push(histEntry(idx, env.cur.curframe));
    markSeen(env, insn, idx);
    const next = step(env, insn, idx);
    if (next === 'exit' || next === 'dead') {
      if (!endPath(env)) return;
      doPrintState = true;
      continue;
    }
    if (insn.opcode === EXIT) doPrintState = true;
    env.prevInsnIdx = idx;
    env.insnIdx = next;
  }
}

/** A path reached `idx` (sanitize_mark_insn_seen), both slots of a `lddw`: it is not dead code. */
function markSeen(env: Env, insn: Instruction, idx: number): void {
  env.seen[idx] = 1;
  if (isWide(insn)) env.seen[idx + 1] = 1;
}

/** The current path is done; continues with a queued one. False when none is left. */
function endPath(env: Env): boolean {
  env.markAllScratched();
  updateBranchCounts(env.cur);
  return popStack(env);
}

function step(env: Env, insn: Instruction, idx: number): Next {
  switch (insn.opcode & 0x07) {
    case InsnClass.ALU:
    case InsnClass.ALU64:
      checkAlu(env, insn);
      return idx + 1;
    case InsnClass.LDX:
      checkLoad(env, insn);
      return idx + 1;
    case InsnClass.STX:
      if ((insn.opcode & 0xe0) === Mode.ATOMIC) checkAtomic(env, insn);
      else checkStore(env, insn);
      return idx + 1;
    case InsnClass.ST:
      checkStore(env, insn);
      return idx + 1;
    case InsnClass.LD:
      if ((insn.opcode & 0xe0) === Mode.IMM) {
        checkLdImm(env, insn, idx);
        return idx + 2;
      }
      checkLdAbs(env, insn);
      return idx + 1;
    default:
      env.jmpsProcessed++;
      return jump(env, insn, idx);
  }
}

function jump(env: Env, insn: Instruction, idx: number): Next {
  const op = insn.opcode & 0xf0;
  if (op === JmpOp.CALL) {
    if ((insn.opcode & 0x08) !== 0 || (insn.opcode & 0x07) === InsnClass.JMP32) env.fail('EINVAL', 'BPF_CALL uses reserved fields');
    if (env.cur.lock && insn.src === PseudoCall.HELPER && insn.imm !== HelperId.spin_unlock) {
      env.fail('EINVAL', 'function calls are not allowed while holding a lock');
    }
    if (insn.src === PseudoCall.LOCAL) return checkFuncCall(env, insn, idx);
    if (insn.src === PseudoCall.KFUNC) {
      checkKfuncCall(env, insn);
      return idx + 1;
    }
    checkHelperCall(env, insn, idx);
    return idx + 1;
  }
  if (op === JmpOp.JA) return insn.opcode === JA32 ? idx + insn.imm + 1 : idx + insn.off + 1;
  if (op === JmpOp.EXIT) {
    const main = env.cur.curframe === 0;
    checkResourceLeak(env, main, 'BPF_EXIT instruction in main prog');
    if (!main) return prepareFuncExit(env);
    checkReturnCode(env);
    return 'exit';
  }
  return checkCondJmp(env, insn, idx, () => printInsnState(env));
}
