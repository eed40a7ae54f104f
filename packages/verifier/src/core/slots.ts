/**
 * Programs as the kernel indexes them: one entry per 8-byte slot, a `lddw` taking two. The second
 * slot of a `lddw` is `null`. Instruction indices everywhere in the verifier (log, errors, facts)
 * are slot indices, so they match what `bpftool prog dump` and the kernel's log print.
 */
import { type Instruction, isWide } from '@bpfhive/uapi';

export type Slots = readonly (Instruction | null)[];

export function toSlots(insns: readonly Instruction[]): (Instruction | null)[] {
  const out: (Instruction | null)[] = [];
  for (const i of insns) {
    out.push(i);
    if (isWide(i)) out.push(null);
  }
  return out;
}

/** Slots an instruction takes. */
export const width = (i: Instruction): 1 | 2 => (isWide(i) ? 2 : 1);
