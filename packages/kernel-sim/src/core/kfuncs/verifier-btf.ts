/**
 * The verifier's share of the kernel BTF for one program (the request's `kernel_btf`): the
 * FUNCs its kfunc calls name, the VARs its `lddw` src_reg 3 loads name (and, so the verifier can
 * say "isn't KIND_VAR", any FUNC such a load names), and the structs those and the kfunc
 * prototypes point to. The verifier stays BTF-free and judges by these (verifier/kernel-btf.ts).
 */
import {
  type Btf, CALL, type Instruction, KFUNCS, LD_IMM64, PseudoCall, PseudoLdImm64, type VerifyRequest, btfSizeOf, findBtfType, skipModsAndTypedefs,
} from '@bpfhive/uapi';

type KernelBtf = NonNullable<VerifyRequest['kernel_btf']>;

export const PERCPU_SECTION = '.data..percpu';

/** The ids of the per-CPU VARs of `btf`, with their offsets in the per-CPU area. */
export function percpuVars(btf: Btf): Map<number, { offset: number; size: number }> {
  const sec = btf.types.find((t) => t.kind === 'DATASEC' && t.name === PERCPU_SECTION);
  return new Map(sec?.kind === 'DATASEC' ? sec.vars.map((v) => [v.type, { offset: v.offset, size: v.size }]) : []);
}

export function kernelBtfForVerifier(btf: Btf, insns: readonly Instruction[]): KernelBtf {
  const funcs = new Map<number, string>();
  const vars: KernelBtf['vars'] & object = [];
  const structs = new Map<number, { name: string; size: number }>();
  const addStruct = (id: number): number | undefined => {
    const r = skipModsAndTypedefs(btf, id);
    if (r.type.kind !== 'STRUCT') return undefined;
    structs.set(r.id, { name: r.type.name, size: r.type.size });
    return r.id;
  };
  const percpu = percpuVars(btf);
  const seenVars = new Set<number>();
  for (const insn of insns) {
    const t = btf.types[insn.imm];
    if (!t || insn.imm <= 0) continue;
    if (insn.opcode === CALL && insn.src === PseudoCall.KFUNC && insn.off === 0 && t.kind === 'FUNC') funcs.set(insn.imm, t.name);
    if (insn.opcode !== LD_IMM64 || insn.src !== PseudoLdImm64.BTF_ID) continue;
    if (t.kind === 'FUNC') funcs.set(insn.imm, t.name);
    if (t.kind !== 'VAR' || seenVars.has(insn.imm)) continue;
    seenVars.add(insn.imm);
    const structId = addStruct(t.type);
    vars.push({ btf_id: insn.imm, name: t.name, size: btfSizeOf(btf, t.type), percpu: percpu.has(insn.imm), ...(structId !== undefined && { struct_id: structId }) });
  }
  for (const k of KFUNCS) {
    for (const p of [...k.params, k.ret]) {
      if (p.kind !== 'btf_ptr') continue;
      const id = findBtfType(btf, p.struct, 'STRUCT');
      if (id !== undefined) addStruct(id);
    }
  }
  return {
    funcs: [...funcs].map(([btf_id, name]) => ({ btf_id, name })),
    structs: [...structs].map(([btf_id, s]) => ({ btf_id, ...s })),
    vars,
  };
}
