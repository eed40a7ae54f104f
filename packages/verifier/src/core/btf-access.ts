/**
 * Reads through PTR_TO_BTF_ID (the kernel's check_ptr_to_btf_access over btf_struct_access): a
 * pointer to a kernel struct may be read, never written ("only read is supported"), at a
 * constant non-negative offset, by a loader with CAP_PERFMON and a GPL-compatible program. With
 * the struct's members known (the request's kernel_btf.types), the load is typed by the member
 * it reads (btf-walk.ts): a scalar member gives a scalar of its size, a pointer to a struct gives
 * PTR_TO_BTF_ID of that struct — possibly NULL, though no NULL check is needed to read it, the
 * load being a probe load (BPF_PROBE_MEM) that reads 0 where nothing is mapped. The pointer's
 * trust follows the kernel: walked out of an untrusted pointer it is untrusted; out of a trusted
 * or RCU one it keeps trust only for the allowlisted members (btf-safe.ts), is RCU-protected for
 * the RCU ones inside an RCU read section, and is otherwise a plain `ptr_` there (untrusted
 * outside one). With only the struct's size known, the read is an unknown scalar within it;
 * pointers to structs the verifier was not told about are readable as probe memory by tracing
 * program types only.
 */
import type { Env } from './env.js';
import { markPointer } from './bounds.js';
import { BtfWalkError, btfStructAccess } from './btf-walk.js';
import { type SafeKind, safeField } from './btf-safe.js';
import { checkPtrOffReg } from './ctx-access.js';
import { isRcuReg, isTrustedReg } from './kfunc.js';
import { markRegUnknown } from './reg-access.js';
import type { RegState } from './reg.js';
import { RegFlag, RegType, regTypeStr, typeMayBeNull } from './reg-type.js';
import { tnumIsConst, tnumString } from './tnum.js';

const PROBE_READ_TYPES = new Set([2, 5, 7, 17, 24, 26, 29]); // kprobe, tracepoint, perf_event, raw_tp(w), tracing, lsm

/** in_rcu_cs: inside bpf_rcu_read_lock, holding a lock, or a non-sleepable program (always in one). */
const inRcuCs = (env: Env): boolean => env.cur.activeRcuLock || env.cur.lock !== null || !env.opts.sleepable;

/** The flags of a pointer read from member `field` (a pointer to struct `target`) of `reg` (check_ptr_to_btf_access). */
function walkedFlags(env: Env, reg: RegState, field: string, target: number, untrusted: boolean): number {
  const { kernel } = env.opts;
  let flag = untrusted ? RegFlag.PTR_UNTRUSTED : 0;
  if (reg.type & RegFlag.PTR_UNTRUSTED) return RegFlag.PTR_UNTRUSTED;
  if (!isTrustedReg(reg) && !isRcuReg(reg)) return flag & ~(RegFlag.PTR_TRUSTED | RegFlag.MEM_RCU);
  const safe: SafeKind | undefined = safeField(kernel.structName(reg.btfId), field, kernel.structName(target));
  if (safe === 'trusted') return flag | RegFlag.PTR_TRUSTED;
  if (safe === 'trusted_or_null') return flag | RegFlag.PTR_TRUSTED | RegFlag.MAYBE_NULL;
  if (inRcuCs(env) && !typeMayBeNull(reg.type)) {
    if (safe === 'rcu') return flag | RegFlag.MEM_RCU;
    if (safe === 'rcu_or_null') return (flag & ~RegFlag.PTR_UNTRUSTED) | RegFlag.MEM_RCU | RegFlag.MAYBE_NULL;
    // Walking unknown pointers yields the old, deprecated PTR_TO_BTF_ID.
    return flag & ~(RegFlag.PTR_TRUSTED | RegFlag.MEM_RCU);
  }
  flag = RegFlag.PTR_UNTRUSTED;
  return flag;
}

export function checkPtrToBtfAccess(env: Env, reg: RegState, regno: number, off: number, size: number, write: boolean, value: RegState | null): void {
  const { kernel } = env.opts;
  const struct = kernel.struct(reg.btfId);
  if (!struct) {
    if (!PROBE_READ_TYPES.has(env.spec.progType)) env.fail('EACCES', `R${regno} invalid mem access '${regTypeStr(reg.type)}'`);
    if (write) env.fail('EACCES', 'only read is supported');
    if (off < 0) env.fail('EACCES', `R${regno} is ptr_ invalid negative access: off=${off}`);
    if (value) markRegUnknown(env, value);
    return;
  }
  const tname = struct.name;
  if (!env.caps.allowPtrLeaks) env.fail('EACCES', `'struct ${tname}' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN`);
  if (!env.opts.gplCompatible) env.fail('EINVAL', `Cannot access kernel 'struct ${tname}' from non-GPL compatible program`);
  if (off < 0) env.fail('EACCES', `R${regno} is ptr_${tname} invalid negative access: off=${off}`);
  if (!tnumIsConst(reg.varOff) || reg.varOff.value) {
    env.fail('EACCES', `R${regno} is ptr_${tname} invalid variable offset: off=${off}, var_off=${tnumString(reg.varOff)}`);
  }
  checkPtrOffReg(env, reg, regno, true);
  if (write) env.fail('EACCES', 'only read is supported');
  const btf = kernel.btf;
  if (!btf?.types[reg.btfId]) {
    // Only the size is known: a scalar within the struct.
    if (off + size > struct.size) env.fail('EACCES', `access beyond struct ${tname} at off ${off} size ${size}`);
    if (value) markRegUnknown(env, value);
    return;
  }
  let walked;
  try {
    walked = btfStructAccess(btf, reg.btfId, off, size);
  } catch (e) {
    if (e instanceof BtfWalkError) env.fail(e.errno, e.message);
    throw e;
  }
  if (!value) return;
  if (walked.kind === 'scalar') {
    markRegUnknown(env, value);
    return;
  }
  const flags = walkedFlags(env, reg, walked.field, walked.btfId, walked.untrusted);
  markPointer(value, RegType.PTR_TO_BTF_ID | flags);
  value.btfId = walked.btfId;
  if (flags & RegFlag.MAYBE_NULL) value.id = env.nextId();
}
