/**
 * What the verifier reads of a program's BTF beyond offsets: a function's linkage and prototype
 * (btf_prepare_func_args, for global functions), and where a map value's special fields sit
 * (btf_find_field: `struct bpf_timer`, `struct bpf_spin_lock`). Shared by the kernel-sim (from
 * the BTF a program was loaded with) and the loader's local `verify` (from the object's BTF).
 */
import { btfSizeOf, btfTypeById, skipModifiers, skipModsAndTypedefs } from './query.js';
import type { Btf } from './types.js';

/** A parameter's or return value's type, after modifiers and typedefs (the verifier's BtfArgType). */
export interface FuncArgType {
  /** The BTF kind: `INT`, `ENUM`, `ENUM64`, `PTR`, `VOID`, `STRUCT`, `UNION`, `FLOAT`, … */
  readonly kind: string;
  /** For a `PTR`: the pointee after modifiers (a typedef keeps its name); size when it has one. */
  readonly pointee?: { readonly kind: string; readonly name: string; readonly size?: number };
}

export interface FuncProtoInfo {
  readonly linkage: 'static' | 'global' | 'extern';
  readonly proto: { readonly ret: FuncArgType; readonly args: readonly { readonly name?: string; readonly type: FuncArgType }[] };
}

const LINKAGE = ['static', 'global', 'extern'] as const;

function argType(btf: Btf, id: number): FuncArgType {
  const t = skipModsAndTypedefs(btf, id).type;
  if (t.kind !== 'PTR') return { kind: t.kind };
  const p = skipModifiers(btf, t.type);
  let size: number | undefined;
  try {
    size = btfSizeOf(btf, p.id);
  } catch {
    size = undefined;
  }
  return { kind: 'PTR', pointee: { kind: p.type.kind, name: p.type.name, ...(size !== undefined && { size }) } };
}

/** Linkage and prototype of the FUNC `funcId`; undefined when it is not a FUNC with a FUNC_PROTO. */
export function btfFuncProto(btf: Btf, funcId: number): FuncProtoInfo | undefined {
  const f = btfTypeById(btf, funcId);
  if (f.kind !== 'FUNC') return undefined;
  const proto = btfTypeById(btf, f.type);
  if (proto.kind !== 'FUNC_PROTO') return undefined;
  return {
    linkage: LINKAGE[f.linkage] ?? 'static',
    proto: {
      ret: argType(btf, proto.returnType),
      args: proto.params.map((p) => ({ ...(p.name && { name: p.name }), type: argType(btf, p.type) })),
    },
  };
}

/**
 * The byte offset of the (first) `struct <name>` inside type `id`, searching nested structs and
 * unions as btf_find_field does for a map value; undefined when there is none.
 */
export function btfFindStructField(btf: Btf, id: number, name: string): number | undefined {
  const t = skipModsAndTypedefs(btf, id).type;
  if (t.kind !== 'STRUCT' && t.kind !== 'UNION') return undefined;
  if (t.name === name) return 0;
  for (const m of t.members) {
    const inner = btfFindStructField(btf, m.type, name);
    if (inner !== undefined) return m.bitOffset / 8 + inner;
  }
  return undefined;
}
