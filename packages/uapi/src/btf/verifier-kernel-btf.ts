/**
 * The verifier's share of the kernel BTF for one program (the verify request's `kernel_btf`):
 * the FUNCs its kfunc calls name, the VARs its `lddw` src_reg 3 loads name (and, so the verifier
 * can say "isn't KIND_VAR", any FUNC such a load names), and the structs those, the kfunc
 * prototypes and the maps' kptr fields point to. The verifier stays BTF-free and judges by these
 * (verifier/kernel-btf.ts). Shared by the kernel-sim (BPF_PROG_LOAD) and `bpfhive verify`.
 */
import { CALL, LD_IMM64, PseudoCall, PseudoLdImm64 } from '../insn/opcode.js';
import type { Instruction } from '../insn/instruction.js';
import { KFUNCS } from '../progtypes/kfuncs.js';
import type { VerifyRequest } from '../wire/schemas/verify.js';
import { btfSizeOf, findBtfType, skipModsAndTypedefs } from './query.js';
import type { Btf } from './types.js';
import { kernelTypesFrom } from './verifier-kernel-types.js';
import { ProgType } from '../generated/enums.js';

export type VerifierKernelBtf = NonNullable<VerifyRequest['kernel_btf']>;

/** The section of the kernel's per-CPU variables. */
export const PERCPU_SECTION = '.data..percpu';

/** The ids of the per-CPU VARs of `btf`, with their offsets in the per-CPU area. */
export function percpuVars(btf: Btf): Map<number, { offset: number; size: number }> {
  const sec = btf.types.find((t) => t.kind === 'DATASEC' && t.name === PERCPU_SECTION);
  return new Map(sec?.kind === 'DATASEC' ? sec.vars.map((v) => [v.type, { offset: v.offset, size: v.size }]) : []);
}

/** Program types whose programs may read kernel structs through PTR_TO_BTF_ID, and so get `types`. */
const WALKING_PROG_TYPES = new Set<number>([
  ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE,
  ProgType.TRACING, ProgType.LSM, ProgType.STRUCT_OPS, ProgType.SYSCALL,
]);

/** What the program reads kernel structs as: its type, and the attach function's argument and return type ids. */
export interface KernelBtfWalk {
  readonly progType: number;
  readonly attachTypes?: readonly number[];
}

/**
 * The kernel BTF the verifier needs for `insns` (kfunc calls and ksym loads already carrying
 * kernel BTF ids) out of the kernel's `btf`; `kptrStructIds` are the kernel structs the maps'
 * kptr fields point to (their `kptrs[].btf_id`). With `walk`, for the program types that may
 * read kernel structs, `types` holds every type reachable from the attach function's types and
 * the structs listed (verifier-kernel-types.ts).
 */
export function kernelBtfForVerifier(btf: Btf, insns: readonly Instruction[], kptrStructIds: Iterable<number> = [], walk?: KernelBtfWalk): VerifierKernelBtf {
  const funcs = new Map<number, string>();
  const vars: VerifierKernelBtf['vars'] & object = [];
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
  for (const id of kptrStructIds) {
    const t = btf.types[id];
    if (t?.kind === 'STRUCT' && !structs.has(id)) structs.set(id, { name: t.name, size: t.size });
  }
  const walks = walk !== undefined && (WALKING_PROG_TYPES.has(walk.progType) || (walk.attachTypes?.length ?? 0) > 0);
  return {
    funcs: [...funcs].map(([btf_id, name]) => ({ btf_id, name })),
    structs: [...structs].map(([btf_id, s]) => ({ btf_id, ...s })),
    vars,
    ...(walks && { types: kernelTypesFrom(btf, [...(walk.attachTypes ?? []), ...structs.keys()]) }),
  };
}
