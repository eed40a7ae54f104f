/**
 * Typed ksyms in a verified program (`lddw rX, var` with src_reg 3, BPF_PSEUDO_BTF_ID): the
 * kernel puts the variable's address in the instruction (check_pseudo_btf_id), a per-CPU one's
 * per-CPU pointer; here that is an address in the arena (percpu-vars.ts), and the load becomes
 * a plain 64-bit constant the JIT compiles as any other.
 */
import { BpfError, type Instruction, LD_IMM64, PseudoLdImm64 } from '@bpfhive/uapi';
import type { PerCpuVars } from './percpu-vars.js';

export function rewriteKsyms(insns: readonly Instruction[], percpu: PerCpuVars): Instruction[] {
  return insns.map((insn, i) => {
    if (insn.opcode !== LD_IMM64 || insn.src !== PseudoLdImm64.BTF_ID) return insn;
    const address = percpu.addressOf(insn.imm);
    // The verifier accepted only VARs of the kernel BTF, and the kernel has only per-CPU ones.
    if (address === undefined) throw new BpfError('EINVAL', `load program: instruction ${i}: ldimm64 failed to find the address for kernel symbol with btf_id ${insn.imm}`);
    return { ...insn, src: PseudoLdImm64.IMM64, imm: address, imm2: 0 };
  });
}
