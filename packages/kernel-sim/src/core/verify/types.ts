import type { FuncProtoInfo, Instruction, VerifyRequest as WireVerifyRequest } from '@bpfhive/uapi';

/**
 * The verifier port: the kernel asks it about every program before anything else sees the program
 * (DESIGN.md §3: the kernel-sim is the trust boundary). The in-process verifier
 * (@bpfhive/verifier) and the `bpf.v1.internal.verify` service answer the same question.
 */

/** What the verifier knows of a map a program references (the program names it by id). */
export interface VerifyMapInfo {
  readonly map_id: number;
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags: number;
  /** The map's name (map_name), for the verifier's messages. */
  readonly name?: string;
  /** From the map's BTF (core/btf/map-btf.ts): it has BTF, and where its value's special fields are. */
  readonly btf?: boolean;
  readonly spin_lock_off?: number;
  readonly timer_off?: number;
  readonly kptrs?: { off: number; kind: 'ref' | 'untrusted'; btf_id: number }[];
}

/** A program as it was submitted: pseudo lddw instructions still name maps by id. */
export interface VerifyRequest {
  readonly prog_type: number;
  readonly expected_attach_type?: number;
  readonly insns: readonly Instruction[];
  readonly license: string;
  readonly log_level?: number;
  /** The log buffer's bytes with its NUL, with log_level. */
  readonly log_size?: number;
  readonly maps: readonly VerifyMapInfo[];
  /** The program's functions (func_info, checked against its BTF): where each starts, its FUNC and name. */
  readonly func_info?: readonly {
    readonly insn_off: number;
    readonly type_id: number;
    readonly name: string;
    /** From the FUNC and its FUNC_PROTO (uapi btfFuncProto): global functions are verified against it. */
    readonly linkage?: FuncProtoInfo['linkage'];
    readonly proto?: FuncProtoInfo['proto'];
  }[];
  /** The program's source lines (line_info), for the log. */
  readonly line_info?: readonly { readonly insn_off: number; readonly file_name: string; readonly line: string; readonly line_num: number; readonly line_col: number }[];
  /**
   * The kernel function (tp_btf: tracepoint) a tracing or LSM program attaches to, from
   * attach_btf_id: its u64 arguments are the program's context (btf_ctx_access).
   */
  readonly attach_func?: AttachFunc;
  /** What the program names of the kernel BTF (kfuncs, typed ksyms) and the structs they use (uapi btf/verifier-kernel-btf.ts). */
  readonly kernel_btf?: WireVerifyRequest['kernel_btf'];
}

/** A prototype as the verifier needs it: how many arguments, and the return value's size (0: void). */
export interface AttachFunc {
  readonly name: string;
  readonly btf_id: number;
  readonly nr_args: number;
  readonly ret_size: number;
  /** Each argument's and the return value's type id in the kernel BTF (types in kernel_btf.types). */
  readonly args?: readonly number[];
  readonly ret_type?: number;
}

/** BPF_LOG_STATS figures; the verifier may add more. */
export interface VerifyStats {
  readonly processed_insns: number;
  readonly total_states: number;
  readonly peak_states: number;
  readonly [name: string]: number;
}

export interface VerifyResult {
  readonly verdict: 'accept' | 'reject';
  /** The errno of a rejection (number or name); EACCES when absent, as for most verifier refusals. */
  readonly errno?: number | string;
  /** Where and why a rejection happened. */
  readonly error?: { readonly insn: number; readonly message: string };
  readonly log: string;
  /** With a log: the log_size that would hold all of it (bpf_attr.log_true_size). */
  readonly log_true_size?: number;
  readonly stats: VerifyStats;
  /** What the verifier learnt (e.g. max_ctx_offset); kept with the program, read where useful. */
  readonly facts?: unknown;
}

export interface ProgramVerifier {
  verify(request: VerifyRequest): Promise<VerifyResult>;
}
