/**
 * btf_ctx_access for programs attached through BTF (fentry, fexit, fmod_ret, tp_btf, lsm): the
 * context is the attached function's arguments, one u64 each (a struct passed by value takes
 * its size rounded up to 8), and for fexit, fmod_ret and lsm the return value after them. Reads
 * past those are refused with the kernel's log line. With the arguments' types known (the
 * request's attach_func.args, described in kernel_btf.types), a pointer to a struct reads as
 * PTR_TO_BTF_ID of that struct — trusted for tp_btf, iterators and lsm (prog_args_trusted; not
 * for the hooks lsm-trust.ts lists), a plain `ptr_` for fentry/fexit; `_or_null_` for an argument
 * named `*__nullable` or one raw-tp-null-args.ts marks, and a scalar for one it marks as a possible
 * error pointer — logging "func 'X' argN has btf_id …"; integers, enums, structs
 * and pointers to anything else read as scalars; other types are refused. Without an attach
 * prototype (a request that names none) nothing is checked here.
 */
import { AttachType, type Btf, type BtfType, ProgType, skipModsAndTypedefs } from '@bpfhive/uapi';
import type { KernelTypes } from './kernel-btf.js';
import { lsmHookTrusted } from './lsm-trust.js';
import { rawTpArgNullness } from './raw-tp-null-args.js';
import { RegFlag, RegType } from './reg-type.js';

/** The prototype the kernel resolved from attach_btf_id. */
export interface AttachFunc {
  readonly name: string;
  readonly nrArgs: number;
  /** Bytes of the return value; 0 for void. */
  readonly retSize: number;
  /** Each argument's type id in the kernel BTF (tp_btf: without the probe's `void *__data`). */
  readonly args?: readonly number[];
  /** The return value's type id; 0 for void. */
  readonly retType?: number;
  /** Each argument's name in the prototype, as `args`; a name ending in `__nullable` may be NULL. */
  readonly argNames?: readonly string[];
}

/** Attach types whose context has the return value after the arguments. */
const WITH_RETURN = new Set<number>([AttachType.TRACE_FEXIT, AttachType.MODIFY_RETURN, AttachType.LSM_MAC]);
/** Attach types whose context is the function's arguments. */
const ARGS_CTX = new Set<number>([AttachType.TRACE_FENTRY, AttachType.TRACE_RAW_TP, ...WITH_RETURN]);

/** Bytes of the context slot a type takes (btf_ctx_arg_idx): 8 for pointers, else its size rounded up to 8. */
function slotBytes(btf: Btf | undefined, id: number): number {
  const t = btf?.types[id] && skipModsAndTypedefs(btf, id).type;
  if (!t || t.kind === 'PTR' || !('size' in t)) return 8;
  return Math.max(8, Math.ceil(t.size / 8) * 8);
}

/** The argument index `off` falls in (nrArgs for the return value, nrArgs + 1 beyond it). */
function argIndex(func: AttachFunc, btf: Btf | undefined, off: number): number {
  if (!func.args || !btf) return Math.floor(off / 8);
  let end = 0;
  for (let i = 0; i < func.args.length; i++) {
    end += slotBytes(btf, func.args[i]!);
    if (off < end) return i;
  }
  end += slotBytes(btf, func.retType ?? 0);
  return off < end ? func.args.length : func.args.length + 1;
}

/** The kernel's log line refusing a context read at `off`, or undefined when it is an argument (or the return value). */
export function btfCtxFault(func: AttachFunc | undefined, expectedAttachType: number | undefined, off: number, btf?: Btf): string | undefined {
  if (!func || expectedAttachType === undefined || !ARGS_CTX.has(expectedAttachType)) return undefined;
  if (off % 8 !== 0) return `func '${func.name}' offset ${off} is not multiple of 8`;
  const arg = argIndex(func, btf, off);
  if (arg < func.nrArgs) return undefined;
  if (arg === func.nrArgs && WITH_RETURN.has(expectedAttachType)) return undefined;
  return `func '${func.name}' doesn't have ${arg + 1}-th argument`;
}

/**
 * What reading an argument gives: a scalar (with, for a pointer that may encode an error, the text
 * the kernel logs, verbatim: it ends without a newline), or a pointer of `regType` to struct
 * `btfId` (with the line the kernel logs).
 */
export type BtfCtxArg =
  | { readonly kind: 'scalar'; readonly log?: string }
  | { readonly kind: 'ptr'; readonly regType: number; readonly btfId: number; readonly log: string }
  | { readonly kind: 'fault'; readonly log: string };

/** prog_args_trusted: tp_btf and iterator arguments, lsm hooks' but those untrusted_lsm_hooks lists, struct_ops'. */
function argsTrusted(progType: number, expectedAttachType: number, func: AttachFunc): boolean {
  if (progType === ProgType.TRACING) return expectedAttachType === AttachType.TRACE_RAW_TP || expectedAttachType === AttachType.TRACE_ITER;
  if (progType === ProgType.LSM) return lsmHookTrusted(func.name);
  return progType === ProgType.STRUCT_OPS;
}

/** btf_param_match_suffix(…, "__nullable"): an argument so named may be NULL. */
const NULLABLE_SUFFIX = '__nullable';

const isModifier = (t: BtfType): boolean =>
  t.kind === 'TYPEDEF' || t.kind === 'VOLATILE' || t.kind === 'CONST' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG';

/**
 * The type of the argument (or return value) at `off`, `size` bytes, read from the context of a
 * program of `progType` attached as `expectedAttachType` (btfCtxFault passed). Undefined when
 * the types are not known: the read is a scalar.
 */
export function btfCtxArg(func: AttachFunc, kernel: KernelTypes, progType: number, expectedAttachType: number | undefined, off: number, size: number): BtfCtxArg | undefined {
  const btf = kernel.btf;
  if (!func.args || !btf || expectedAttachType === undefined || !ARGS_CTX.has(expectedAttachType)) return undefined;
  const arg = argIndex(func, btf, off);
  let id = arg < func.args.length ? func.args[arg]! : (func.retType ?? 0);
  let t = btf.types[id];
  if (!t) return undefined;
  while (isModifier(t)) {
    id = (t as { type: number }).type;
    t = btf.types[id];
    if (!t) return undefined;
  }
  const smallInt = t.kind === 'INT' && t.size <= 8;
  // fmod_ret attaches only to functions returning an int.
  if (arg === func.args.length && expectedAttachType === AttachType.MODIFY_RETURN && !smallInt) {
    return { kind: 'fault', log: `ret type ${t.kind} not allowed for fmod_ret` };
  }
  if (smallInt || t.kind === 'ENUM' || t.kind === 'ENUM64' || t.kind === 'STRUCT' || t.kind === 'UNION') return { kind: 'scalar' };
  if (t.kind !== 'PTR') return { kind: 'fault', log: `func '${func.name}' arg${arg} '${t.name}' has type ${t.kind}. Only pointer access is allowed` };
  if (size !== 8) return { kind: 'fault', log: `func '${func.name}' size ${size} must be 8` };
  const target = btf.types[t.type] && skipModsAndTypedefs(btf, t.type);
  // Pointers to anything but a struct (void, ints, pointers) are numbers: nothing to walk.
  if (!target || (target.type.kind !== 'STRUCT' && target.type.kind !== 'UNION')) return { kind: 'scalar' };
  let regType = RegType.PTR_TO_BTF_ID | (argsTrusted(progType, expectedAttachType, func) ? RegFlag.PTR_TRUSTED : 0);
  if (func.argNames?.[arg]?.endsWith(NULLABLE_SUFFIX)) regType |= RegFlag.MAYBE_NULL;
  // raw_tp_null_args: tracepoint arguments that may be NULL, or an error pointer.
  const raw = expectedAttachType === AttachType.TRACE_RAW_TP ? rawTpArgNullness(func.name, arg) : undefined;
  if (raw?.maybeNull) regType |= RegFlag.MAYBE_NULL;
  const log = `func '${func.name}' arg${arg} has btf_id ${target.id} type ${target.type.kind} '${target.type.name}'`;
  // The kernel logs this without a newline: its next line follows on the same line.
  if (raw?.maybeErr) return { kind: 'scalar', log: `${log}\nmarking pointer arg${arg} as scalar as it may encode error` };
  return { kind: 'ptr', regType, btfId: target.id, log };
}
