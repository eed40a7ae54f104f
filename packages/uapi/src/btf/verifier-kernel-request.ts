/**
 * The kernel's share of a verify request (`bpf.v1.internal.verify`): `kernel_btf` and, for a
 * program attaching to a kernel BTF type (attach_btf_id: fentry/fexit/fmod_ret/lsm/iter FUNCs, a
 * tp_btf program's `btf_trace_<tracepoint>` typedef), `attach_func`, the prototype whose u64
 * arguments are its context, with the types reachable from it in `kernel_btf.types`. One builder
 * for the kernel-sim's BPF_PROG_LOAD and `bpfhive verify`, so a local verification judges a
 * program on what the kernel would send.
 */
import type { Instruction } from '../insn/instruction.js';
import type { VerifyRequest } from '../wire/schemas/verify.js';
import { btfSizeOf, findBtfType, skipModifiers, skipModsAndTypedefs } from './query.js';
import type { Btf } from './types.js';
import { kernelBtfForVerifier } from './verifier-kernel-btf.js';

export type VerifierAttachFunc = NonNullable<VerifyRequest['attach_func']>;

/** The prefix of the typedefs raw tracepoints are found by (btf_trace_<tracepoint>). */
const BTF_TRACE_PREFIX = 'btf_trace_';

/**
 * The `attach_func` of a program attaching to type `attachBtfId` of `btf`: a FUNC's prototype
 * named by the FUNC, or for a `btf_trace_<tp>` typedef (a pointer to the probe's prototype) the
 * tracepoint's arguments without the probe's first (`void *__data`), named `<tp>`. Undefined for
 * any other type: the kernel checks the attach target (bpf_check_attach_target), not this.
 */
export function attachFuncForVerifier(btf: Btf, attachBtfId: number): VerifierAttachFunc | undefined {
  const t = btf.types[attachBtfId];
  if (t?.kind === 'FUNC') return protoFor(btf, t.name, attachBtfId, t.type, 0, t.type);
  if (t?.kind !== 'TYPEDEF' || !t.name.startsWith(BTF_TRACE_PREFIX)) return undefined;
  const ptr = skipModsAndTypedefs(btf, attachBtfId).type;
  const proto = ptr.kind === 'PTR' ? skipModifiers(btf, ptr.type) : undefined;
  if (!proto) return undefined;
  const tp = t.name.slice(BTF_TRACE_PREFIX.length);
  // The typedef's prototype names no arguments; the tracepoint's probe function does (as btf_ctx_access reads them).
  const probe = findBtfType(btf, `${BTF_PROBE_PREFIX}${tp}`, 'FUNC');
  const probeProto = probe !== undefined ? (btf.types[probe] as { type: number }).type : undefined;
  return protoFor(btf, tp, attachBtfId, proto.id, 1, probeProto);
}

/** The prefix of a raw tracepoint's probe function (__bpf_trace_<tracepoint>), whose parameters carry the argument names. */
const BTF_PROBE_PREFIX = '__bpf_trace_';

function protoFor(btf: Btf, name: string, btfId: number, protoId: number, skip: number, namedProtoId: number | undefined): VerifierAttachFunc | undefined {
  const proto = btf.types[protoId];
  if (proto?.kind !== 'FUNC_PROTO') return undefined;
  const args = proto.params.slice(skip).map((p) => p.type);
  const ret = proto.returnType;
  const named = namedProtoId === undefined ? undefined : btf.types[namedProtoId];
  const argNames = named?.kind === 'FUNC_PROTO' ? named.params.slice(skip).map((p) => p.name) : [];
  return {
    name, btf_id: btfId, nr_args: args.length, ret_size: ret === 0 ? 0 : btfSizeOf(btf, ret), args, ret_type: ret,
    ...(argNames.some((n) => n !== '') && { arg_names: argNames }),
  };
}

export interface VerifierKernelRequestOptions {
  readonly progType: number;
  /** The kernel structs the maps' kptr fields point to (their `kptrs[].btf_id`). */
  readonly kptrStructIds?: Iterable<number>;
  /** attach_btf_id, and the kernel BTF it is in when not `btf` (a module's); absent or 0: none. */
  readonly attachBtfId?: number;
  readonly attachBtf?: Btf;
}

/**
 * `kernel_btf` (kernelBtfForVerifier) and `attach_func` for `insns` out of the kernel's `btf`;
 * the attach function's argument and return types are walked into `kernel_btf.types`, so loads
 * through them are typed (btf_struct_access).
 */
export function verifierKernelRequest(btf: Btf, insns: readonly Instruction[], options: VerifierKernelRequestOptions): Pick<VerifyRequest, 'kernel_btf' | 'attach_func'> {
  const attach = options.attachBtfId ? attachFuncForVerifier(options.attachBtf ?? btf, options.attachBtfId) : undefined;
  return {
    ...(attach && { attach_func: attach }),
    kernel_btf: kernelBtfForVerifier(btf, insns, options.kptrStructIds, {
      progType: options.progType,
      ...(attach && { attachTypes: [attach.ret_type ?? 0, ...(attach.args ?? [])] }),
    }),
  };
}
