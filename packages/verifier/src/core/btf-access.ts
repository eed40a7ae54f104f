/**
 * Reads through PTR_TO_BTF_ID (the kernel's check_ptr_to_btf_access over btf_struct_access): a
 * pointer to a kernel struct the request described (kernel-btf.ts) may be read within the
 * struct, at a constant non-negative offset, never written; the value read is an unknown scalar
 * (bpfhive does not walk members: a pointer member read this way is a number, to be read further
 * with bpf_probe_read_kernel or CO-RE). Pointers to structs the verifier was not told about keep
 * the old rule: readable as probe memory by tracing program types only.
 */
import type { Env } from './env.js';
import { checkPtrOffReg } from './ctx-access.js';
import { markRegUnknown } from './reg-access.js';
import type { RegState } from './reg.js';
import { regTypeStr } from './reg-type.js';

const PROBE_READ_TYPES = new Set([2, 5, 7, 17, 24, 26, 29]); // kprobe, tracepoint, perf_event, raw_tp(w), tracing, lsm

export function checkPtrToBtfAccess(env: Env, reg: RegState, regno: number, off: number, size: number, write: boolean, value: RegState | null): void {
  const struct = env.opts.kernel.structs.get(reg.btfId);
  if (!struct) {
    if (!PROBE_READ_TYPES.has(env.spec.progType)) env.fail('EACCES', `R${regno} invalid mem access '${regTypeStr(reg.type)}'`);
    if (write) env.fail('EACCES', 'only read is supported');
    if (off < 0) env.fail('EACCES', `R${regno} is ptr_ invalid negative access: off=${off}`);
    if (value) markRegUnknown(env, value);
    return;
  }
  if (!env.caps.allowPtrLeaks) env.fail('EACCES', `'struct ${struct.name}' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN`);
  if (off < 0) env.fail('EACCES', `R${regno} is ptr_${struct.name} invalid negative access: off=${off}`);
  checkPtrOffReg(env, reg, regno, true);
  if (write) env.fail('EACCES', 'only read is supported');
  if (off + size > struct.size) env.fail('EACCES', `access beyond struct ${struct.name} at off ${off} size ${size}`);
  if (value) markRegUnknown(env, value);
}
