/**
 * The kernel's BTF as libbpf reads /sys/kernel/btf/vmlinux: bpfhive's is BTF object 1 of the
 * kernel-sim (`bpf.v1.btf.1.info`, bpf_btf_info with the blob). It is the target of CO-RE
 * relocations and where BTF-attached programs (fentry, fexit, fmod_ret, tp_btf, lsm, iter) find
 * the attach_btf_id they load with.
 */
import { type Btf, ProgType, fromBase64, parseBtf } from '@bpfhive/uapi';
import { type BpfClient, BpfSyscallError } from '../client/index.js';
import type { ObjectSpec } from '../object/index.js';
import { isTypedKsym } from './ksyms.js';
import type { LoadOptions } from './types.js';

/** The id of the kernel's own BTF object. */
export const VMLINUX_BTF_ID = 1;

/** Fetches and parses the kernel's BTF; the client's errno error when the kernel-sim does not answer. */
export async function fetchKernelBtf(client: BpfClient): Promise<Btf> {
  const reply = await client.bpf('OBJ_GET_INFO_BY_FD', { btf_id: VMLINUX_BTF_ID });
  if (typeof reply.btf !== 'string') throw new BpfSyscallError('EBADMSG', `the kernel's BTF (btf id ${VMLINUX_BTF_ID}) came without its blob`);
  return parseBtf(fromBase64(reply.btf, 'btf'));
}

/**
 * True when loading `spec` needs the kernel's BTF, as libbpf's obj_needs_vmlinux_btf decides:
 * a program to load has CO-RE relocations or attaches through BTF (tracing and lsm programs),
 * or the object has a typed ksym extern (a kernel variable with a type, or a kfunc).
 */
export function needsKernelBtf(spec: ObjectSpec): boolean {
  if (spec.externs.some((e) => e.kind === 'ksym' && isTypedKsym(e))) return true;
  return spec.programs.some((p) => p.autoload && (p.coreRelocations.length > 0 || p.type === ProgType.TRACING || p.type === ProgType.LSM));
}

/**
 * `options` with the kernel's BTF in `kernelBtf`, as bpf_object__load reads vmlinux BTF itself:
 * the BTF given stays (libbpf's btf_custom_path); else it is fetched (fetchKernelBtf) when the
 * object needs it (needsKernelBtf) and `loadKernelBtf` is not false; else `options` is returned
 * as it is.
 * Rejects with the client's errno error, worded `failed to load the kernel's BTF: …`.
 */
export async function withKernelBtf(spec: ObjectSpec, client: BpfClient, options: LoadOptions): Promise<LoadOptions> {
  if (options.kernelBtf !== undefined || options.loadKernelBtf === false || !needsKernelBtf(spec)) return options;
  try {
    return { ...options, kernelBtf: await fetchKernelBtf(client) };
  } catch (e) {
    if (!(e instanceof BpfSyscallError)) throw e;
    throw new BpfSyscallError(e.code, `failed to load the kernel's BTF (btf id ${VMLINUX_BTF_ID}), which the object needs: ${e.message}`, { cause: e, errno: e.errno });
  }
}
