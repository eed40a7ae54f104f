/**
 * The stack of a whole call chain (the kernel's check_max_stack_depth): the frames of every
 * chain of bpf-to-bpf calls and callbacks, each rounded up to 16 bytes as the JIT lays them out,
 * must fit MAX_BPF_STACK (512) bytes together.
 */
import { CALL, LD_IMM64, PseudoCall, PseudoLdImm64 } from '@bpfhive/uapi';
import type { SubprogInfo } from './env.js';
import { VerifierError } from './errors.js';
import { MAX_CALL_FRAMES } from './limits.js';
import type { Slots } from './slots.js';
import { MAX_STACK } from './state.js';

const round16 = (n: number): number => Math.ceil(n / 16) * 16;

export function checkMaxStackDepth(slots: Slots, subprogs: readonly SubprogInfo[]): void {
  const callees = subprogs.map((s) => {
    const out: number[] = [];
    for (let i = s.start; i < s.end; i++) {
      const insn = slots[i];
      if (!insn) continue;
      const call = insn.opcode === CALL && insn.src === PseudoCall.LOCAL;
      const func = insn.opcode === LD_IMM64 && insn.src === PseudoLdImm64.FUNC;
      if (!call && !func) continue;
      const target = i + insn.imm + 1;
      const idx = subprogs.findIndex((x) => x.start === target);
      if (idx >= 0) out.push(idx);
    }
    return out;
  });
  const walk = (sub: number, depth: number, frames: number): void => {
    const total = depth + round16(subprogs[sub]!.stackDepth);
    if (total > MAX_STACK) throw new VerifierError('EACCES', `combined stack size of ${frames} calls is ${total}. Too large`);
    if (frames >= MAX_CALL_FRAMES) return;
    for (const c of callees[sub]!) walk(c, total, frames + 1);
  };
  walk(0, 0, 1);
}
