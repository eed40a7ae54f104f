import { BpfError, CALL, type Instruction, PseudoCall, helperById, slotIndex } from '@bpfhive/uapi';

/** The helper ids a program calls (`call imm` with src 0), with the instruction index (not the slot) of the first call of each. */
export function helperCalls(insns: readonly Instruction[]): Map<number, number> {
  const calls = new Map<number, number>();
  insns.forEach((i, index) => {
    if (i.opcode === CALL && i.src === PseudoCall.HELPER && !calls.has(i.imm)) calls.set(i.imm, index);
  });
  return calls;
}

/**
 * The kernel's own checks of the helpers a program calls, whatever the verifier said, on the
 * program as it will run (its dead code already `ja -1`, dead-code.ts, as Linux checks calls only
 * on the paths do_check reaches): a program
 * whose license is not GPL-compatible may not call a GPL-only helper (EINVAL, with the verifier's
 * words), and every helper must be one this kernel implements (EINVAL naming it), so a program
 * never stops half-way on a missing helper; likewise every kfunc a call names (BTF id and BTF
 * object) must be one the kernel implements. Messages name the call by its slot index, as the
 * verifier and Linux do (a 64-bit immediate load before it takes two slots).
 */
export function checkHelperCalls(
  insns: readonly Instruction[], gplCompatible: boolean, implemented: (id: number) => boolean, kfuncImplemented: (btfId: number, btfObj: number) => boolean = () => false,
): void {
  const slots = slotIndex(insns);
  const kfunc = insns.findIndex((i) => i.opcode === CALL && i.src === PseudoCall.KFUNC && !kfuncImplemented(i.imm, i.off));
  if (kfunc >= 0) throw new BpfError('EINVAL', `load program: instruction ${slots[kfunc]}: kernel function BTF id ${insns[kfunc]!.imm} is not implemented by bpfhive`);
  for (const [id, index] of helperCalls(insns)) {
    const proto = helperById(id);
    const name = proto?.funcName ?? `helper ${id}`;
    if (proto?.gplOnly && !gplCompatible) {
      throw new BpfError('EINVAL', `load program: instruction ${slots[index]}: cannot call GPL-restricted function from non-GPL compatible program (${name})`);
    }
    if (!implemented(id)) throw new BpfError('EINVAL', `load program: instruction ${slots[index]}: ${proto ? `${name} is not implemented by bpfhive yet` : `invalid func unknown#${id}`}`);
  }
}
