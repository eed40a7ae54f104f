/**
 * What the verifier knows of the kernel's BTF: only what the program names, resolved by the
 * kernel (the kernel-sim) before it asks — the FUNCs its kfunc calls name by BTF id, the VARs its
 * `lddw` src_reg 3 (BPF_PSEUDO_BTF_ID) loads name, and the kernel structs those and the maps'
 * kptr fields point to; for programs that read kernel structs, the types reachable from those
 * and from the attach function's arguments (`types`), by their kernel ids, so loads through
 * PTR_TO_BTF_ID walk them (btf-walk.ts). The verifier stays stateless; the kernel's prototypes
 * and KF_* flags come from uapi's kfunc table by name (kfuncs.ts there).
 */
import type { Btf, BtfType } from '@bpfhive/uapi';


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
  /** Kernel BTF types by id (a share of the kernel's BTF: ids not listed are unknown). */
  readonly types?: ReadonlyMap<number, BtfType>;
}

/** The request's kernel BTF, indexed by id. */
export class KernelTypes {
  readonly funcs: ReadonlyMap<number, KernelFunc>;
  readonly structs: ReadonlyMap<number, KernelStruct>;
  readonly vars: ReadonlyMap<number, KernelVar>;
  /** Whether the kernel described its BTF at all (without it, kfuncs and ksyms are refused as on a kernel without CONFIG_DEBUG_INFO_BTF). */
  readonly present: boolean;
  /** The types the request described, as a sparse BTF (uapi's queries work on it); undefined without any. */
  readonly btf: Btf | undefined;

  constructor(info?: KernelBtfInfo) {
    this.present = info !== undefined;
    info ??= {};
    this.funcs = new Map((info.funcs ?? []).map((f) => [f.btfId, f]));
    this.structs = new Map((info.structs ?? []).map((s) => [s.btfId, s]));
    this.vars = new Map((info.vars ?? []).map((v) => [v.btfId, v]));
    if (info.types && info.types.size > 0) {
      const types: BtfType[] = [{ kind: 'VOID', name: '' }];
      for (const [id, t] of info.types) types[id] = t;
      this.btf = { types };
    } else {
      this.btf = undefined;
    }
  }

  /** The type with `id`, when the request described it. */
  type(id: number): BtfType | undefined {
    return id > 0 ? this.btf?.types[id] : undefined;
  }

  /** The STRUCT or UNION `id` names (through modifiers and typedefs), with its size; undefined when unknown. */
  struct(id: number): { readonly name: string; readonly size: number } | undefined {
    let t = this.type(id);
    for (let hops = 0; t && hops < 32 && 'type' in t && (t.kind === 'TYPEDEF' || t.kind === 'CONST' || t.kind === 'VOLATILE' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG'); hops++) {
      t = this.type(t.type);
    }
    if (t && (t.kind === 'STRUCT' || t.kind === 'UNION')) return t;
    return this.structs.get(id);
  }

  /** The id of struct `name`, or 0 when the request described none by that name. */
  structId(name: string): number {
    for (const s of this.structs.values()) if (s.name === name) return s.btfId;
    const types = this.btf?.types ?? [];
    for (let id = 1; id < types.length; id++) if (types[id]?.kind === 'STRUCT' && types[id]!.name === name) return id;
    return 0;
  }

  structName(id: number): string {
    return this.struct(id)?.name ?? `btf_id#${id}`;
  }

  /** The name the log prints after `ptr_` (btf_type_name): the type's own name, empty when unknown. */
  typeName(id: number): string {
    return this.type(id)?.name ?? this.structs.get(id)?.name ?? '';
  }
}
