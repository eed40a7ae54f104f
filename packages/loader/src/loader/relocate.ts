/**
 * Resolving a program's relocations to ids (libbpf's bpf_program__relocate, data part): the
 * ObjectSpec left them symbolic, with the right pseudo source already set on each `lddw`.
 *
 * - `map`: `lddw rX, map` (src BPF_PSEUDO_MAP_FD) gets the map id in imm.
 * - `map_value`: `lddw rX, &var` (src BPF_PSEUDO_MAP_VALUE) gets the map id in imm and the
 *   byte offset into the value in the second slot's imm (`imm2`, which encode() writes there).
 * - `ksym`: a typed kernel variable resolved (externs.ts) becomes `lddw` src_reg 3
 *   (BPF_PSEUDO_BTF_ID) with its kernel BTF id; an unresolved weak one stays 0.
 * - `kfunc`: a resolved kfunc becomes `call` src_reg 2 (BPF_PSEUDO_KFUNC_CALL) with its kernel
 *   BTF id, off 0 (vmlinux); an unresolved weak one is poisoned as libbpf poisons it, a helper
 *   call to 2002000000 + the extern's index, which the verifier refuses if reached.
 *
 * CO-RE relocations are applied afterwards, against the kernel's BTF when there is one (core.ts).
 */
import { BpfError, CALL, type Instruction, PseudoCall, PseudoLdImm64 } from '@bpfhive/uapi';
import type { ObjectSpec, ProgramSpec } from '../object/index.js';

/** libbpf's POISON_CALL_KFUNC_BASE. */
export const POISON_CALL_KFUNC_BASE = 2002000000;

/**
 * The program's instructions with every relocation resolved. `mapIds` gives each map's id by
 * its spec name; throws BpfError (EINVAL) for a relocation naming a map without one.
 */
export function relocateProgram(
  program: ProgramSpec, mapIds: ReadonlyMap<string, number>, externs: ObjectSpec['externs'], ksyms: ReadonlyMap<string, number> = new Map(),
): Instruction[] {
  const insns = [...program.instructions];
  const idOf = (map: string, index: number): number => {
    const id = mapIds.get(map);
    if (id === undefined) throw new BpfError('EINVAL', `relocation at instruction ${index}: map '${map}' has no id`);
    return id;
  };
  for (const relo of program.relocations) {
    const insn = insns[relo.index]!;
    switch (relo.kind) {
      case 'map':
        insns[relo.index] = { ...insn, imm: idOf(relo.map, relo.index) | 0 };
        break;
      case 'map_value':
        insns[relo.index] = { ...insn, imm: idOf(relo.map, relo.index) | 0, imm2: relo.offset | 0 };
        break;
      case 'ksym': {
        const id = ksyms.get(relo.extern);
        if (id !== undefined) insns[relo.index] = { ...insn, src: PseudoLdImm64.BTF_ID, imm: id, imm2: 0 };
        break;
      }
      case 'kfunc': {
        const id = ksyms.get(relo.extern);
        insns[relo.index] = id !== undefined
          ? { opcode: CALL, dst: 0, src: PseudoCall.KFUNC, off: 0, imm: id }
          : { opcode: CALL, dst: 0, src: 0, off: 0, imm: POISON_CALL_KFUNC_BASE + externs.findIndex((e) => e.name === relo.extern) };
        break;
      }
    }
  }
  return insns;
}
