import { type Instruction, JA, slotCount, slotIndex } from '@bpfhive/uapi';

/**
 * Dead code: the instructions of an accepted program that no path of the verifier reached (its
 * facts' `dead_insns`, slot indices). Linux never checks them (check_helper_call runs on reached
 * paths only, so libbpf's poisoned calls to missing weak kfuncs may sit there) and never runs them:
 * bpf_check's sanitize_dead_code overwrites each unreached slot with `ja -1`, a jump to itself.
 * bpfhive does the same for every loader; it does not remove dead code as Linux does for a
 * bpf_capable() loader (opt_remove_dead_code), so instruction indexes stay those the verifier used.
 */

/** `ja -1`: the trap sanitize_dead_code writes over every slot nothing reaches. */
export const DEAD_CODE_TRAP: Instruction = { opcode: JA, dst: 0, src: 0, off: -1, imm: 0 };

/**
 * The indexes (into `insns`) of the instructions whose first slot is in the verifier's
 * `dead_insns` fact; empty when the facts carry none (every instruction counts as reached).
 */
export function deadInstructions(insns: readonly Instruction[], facts: unknown): Set<number> {
  const slots = (facts as { dead_insns?: unknown } | undefined)?.dead_insns;
  if (!Array.isArray(slots) || slots.length === 0) return new Set();
  const dead = new Set(slots.filter((s): s is number => typeof s === 'number'));
  const out = new Set<number>();
  slotIndex(insns).forEach((slot, i) => {
    if (i < insns.length && dead.has(slot)) out.add(i);
  });
  return out;
}

/**
 * `insns` with every dead instruction replaced by `ja -1` in each of its slots (a dead `lddw`
 * becomes two), so every slot keeps its index and no jump changes.
 */
export function sanitizeDeadCode(insns: readonly Instruction[], dead: ReadonlySet<number>): Instruction[] {
  if (dead.size === 0) return [...insns];
  return insns.flatMap((insn, i) => (dead.has(i) ? Array<Instruction>(slotCount(insn)).fill(DEAD_CODE_TRAP) : [insn]));
}
