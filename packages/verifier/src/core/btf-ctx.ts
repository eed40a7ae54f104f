/**
 * btf_ctx_access's argument check for programs attached through BTF (fentry, fexit, fmod_ret,
 * tp_btf, lsm): the context is the attached function's arguments, one u64 each, and for fexit,
 * fmod_ret and lsm the return value after them. Reads past those are refused with the kernel's
 * log line. Without an attach prototype (a request that names none) nothing is checked here.
 */
import { AttachType } from '@bpfhive/uapi';

/** The prototype the kernel resolved from attach_btf_id. */
export interface AttachFunc {
  readonly name: string;
  readonly nrArgs: number;
  /** Bytes of the return value; 0 for void. */
  readonly retSize: number;
}

/** Attach types whose context has the return value after the arguments. */
const WITH_RETURN = new Set<number>([AttachType.TRACE_FEXIT, AttachType.MODIFY_RETURN, AttachType.LSM_MAC]);
/** Attach types whose context is the function's arguments. */
const ARGS_CTX = new Set<number>([AttachType.TRACE_FENTRY, AttachType.TRACE_RAW_TP, ...WITH_RETURN]);

/** The kernel's log line refusing a context read at `off`, or undefined when it is an argument (or the return value). */
export function btfCtxFault(func: AttachFunc | undefined, expectedAttachType: number | undefined, off: number): string | undefined {
  if (!func || expectedAttachType === undefined || !ARGS_CTX.has(expectedAttachType)) return undefined;
  if (off % 8 !== 0) return `func '${func.name}' offset ${off} is not multiple of 8`;
  const arg = Math.floor(off / 8);
  if (arg < func.nrArgs) return undefined;
  if (arg === func.nrArgs && WITH_RETURN.has(expectedAttachType)) return undefined;
  return `func '${func.name}' doesn't have ${arg + 1}-th argument`;
}
