/**
 * A function's BTF prototype as the verifier needs it (what btf_prepare_func_args reads from the
 * program's BTF): each type after const/volatile/restrict and typedefs, and for a pointer what it
 * points to. The kernel-sim derives it from the program's BTF (func_info's FUNC → FUNC_PROTO).
 */

/** A parameter's or the return value's type. */
export interface BtfArgType {
  /** BTF kind after modifiers and typedefs: `INT`, `ENUM`, `ENUM64`, `PTR`, `VOID`, `STRUCT`, `UNION`, `FLOAT`, … */
  readonly kind: string;
  /** For a `PTR`: the type pointed to, after modifiers (a typedef keeps its own name, as bpf_user_pt_regs_t). */
  readonly pointee?: {
    readonly kind: string;
    readonly name: string;
    /** Bytes (btf_resolve_size), absent when it has none (void, a function, a forward declaration). */
    readonly size?: number;
  };
}

export interface FuncProto {
  readonly ret: BtfArgType;
  readonly args: readonly { readonly name?: string; readonly type: BtfArgType }[];
}
