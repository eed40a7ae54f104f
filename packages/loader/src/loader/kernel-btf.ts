/**
 * The kernel's BTF as libbpf reads /sys/kernel/btf/vmlinux: bpfhive's is BTF object 1 of the
 * kernel-sim (`bpf.v1.btf.1.info`, bpf_btf_info with the blob). It is the target of CO-RE
 * relocations and where BTF-attached programs (fentry, fexit, fmod_ret, tp_btf, lsm, iter) find
 * the attach_btf_id they load with.
 */
import { type Btf, ProgType, fromBase64, parseBtf } from '@bpfhive/uapi';
import { type BpfClient, BpfSyscallError } from '../client/index.js';
import type { ObjectSpec } from '../object/index.js';

/** The id of the kernel's own BTF object. */
export const VMLINUX_BTF_ID = 1;

/** Fetches and parses the kernel's BTF; the client's errno error when the kernel-sim does not answer. */
export async function fetchKernelBtf(client: BpfClient): Promise<Btf> {
  const reply = await client.bpf('OBJ_GET_INFO_BY_FD', { btf_id: VMLINUX_BTF_ID });
  if (typeof reply.btf !== 'string') throw new BpfSyscallError('EBADMSG', `the kernel's BTF (btf id ${VMLINUX_BTF_ID}) came without its blob`);
  return parseBtf(fromBase64(reply.btf, 'btf'));
}

/**
 * True when loading `spec` needs the kernel's BTF, as libbpf decides to load vmlinux BTF: a
 * program to load has CO-RE relocations, or attaches through BTF (tracing and lsm programs).
 */
export function needsKernelBtf(spec: ObjectSpec): boolean {
  return spec.programs.some((p) => p.autoload && (p.coreRelocations.length > 0 || p.type === ProgType.TRACING || p.type === ProgType.LSM));
}
