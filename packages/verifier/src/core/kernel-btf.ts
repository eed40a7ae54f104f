/**
 * What the verifier knows of the kernel's BTF: only what the program names, resolved by the
 * kernel (the kernel-sim) before it asks — the FUNCs its kfunc calls name by BTF id, the VARs its
 * `lddw` src_reg 3 (BPF_PSEUDO_BTF_ID) loads name, and the kernel structs those and the maps'
 * kptr fields point to. The verifier stays stateless and BTF-free; the kernel's prototypes and
 * KF_* flags come from uapi's kfunc table by name (kfuncs.ts there).
 */

/** A kernel function named by its BTF id. */
export interface KernelFunc {
  readonly btfId: number;
  readonly name: string;
}

/** A kernel struct: the target of PTR_TO_BTF_ID pointers. */
export interface KernelStruct {
  readonly btfId: number;
  readonly name: string;
  readonly size: number;
}

/** A kernel variable (a ksym): `extern const int bpf_prog_active __ksym;`. */
export interface KernelVar {
  readonly btfId: number;
  readonly name: string;
  /** Bytes of its type. */
  readonly size: number;
  /** The STRUCT it is, when it is one (PTR_TO_BTF_ID); else it is plain memory (PTR_TO_MEM). */
  readonly structId?: number;
  /** A per-CPU variable: only bpf_this_cpu_ptr / bpf_per_cpu_ptr may turn it into memory. */
  readonly percpu: boolean;
}

export interface KernelBtfInfo {
  readonly funcs?: readonly KernelFunc[];
  readonly structs?: readonly KernelStruct[];
  readonly vars?: readonly KernelVar[];
}

/** The request's kernel BTF, indexed by id. */
export class KernelTypes {
  readonly funcs: ReadonlyMap<number, KernelFunc>;
  readonly structs: ReadonlyMap<number, KernelStruct>;
  readonly vars: ReadonlyMap<number, KernelVar>;
  /** Whether the kernel described its BTF at all (without it, kfuncs and ksyms are refused as on a kernel without CONFIG_DEBUG_INFO_BTF). */
  readonly present: boolean;

  constructor(info?: KernelBtfInfo) {
    this.present = info !== undefined;
    info ??= {};
    this.funcs = new Map((info.funcs ?? []).map((f) => [f.btfId, f]));
    this.structs = new Map((info.structs ?? []).map((s) => [s.btfId, s]));
    this.vars = new Map((info.vars ?? []).map((v) => [v.btfId, v]));
  }

  /** The id of struct `name`, or 0 when the request described none by that name. */
  structId(name: string): number {
    for (const s of this.structs.values()) if (s.name === name) return s.btfId;
    return 0;
  }

  structName(id: number): string {
    return this.structs.get(id)?.name ?? `btf_id#${id}`;
  }
}
