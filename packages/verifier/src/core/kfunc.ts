/**
 * Kernel function calls, `call` with src_reg 2 (BPF_PSEUDO_KFUNC_CALL) and imm the FUNC's id in
 * the kernel BTF (the kernel's check_kfunc_call, fetch_kfunc_meta, check_kfunc_args): the id must
 * name a kfunc the kernel exposes to this program type; each argument is checked against the
 * prototype (scalars; pointers to the right kernel struct, trusted or RCU-protected as the KF_*
 * flags demand, never possibly NULL, at offset 0); a KF_RELEASE kfunc drops the reference its
 * argument holds; the result is a PTR_TO_BTF_ID, NULL-checked first under KF_RET_NULL, holding a
 * new reference under KF_ACQUIRE (which the program must release, or move into a map as a kptr,
 * on every path). bpf_rcu_read_lock/unlock open and close an RCU read section.
 */
import { type Instruction, KF, type KfuncParam, type KfuncProto, kfuncAllowed, kfuncByName } from '@bpfhive/uapi';
import { isNull, markPointer } from './bounds.js';
import { checkPtrOffReg } from './ctx-access.js';
import type { Env } from './env.js';
import { forEachReg } from './packet.js';
import { DST_OP_NO_MARK, SRC_OP, checkRegArg, markRegNotInit, markRegUnknown } from './reg-access.js';
import type { RegState } from './reg.js';
import { RegFlag, RegType, baseType, regTypeStr, typeMayBeNull } from './reg-type.js';
import { acquireReference, releaseReference } from './refs.js';

/** A pointer the kernel vouches for: it holds a reference, or came trusted (is_trusted_reg). */
export const isTrustedReg = (reg: RegState): boolean =>
  reg.refObjId !== 0 || ((reg.type & RegFlag.PTR_TRUSTED) !== 0 && (reg.type & RegFlag.PTR_UNTRUSTED) === 0);
/** A pointer valid inside the current RCU read section (is_rcu_reg). */
export const isRcuReg = (reg: RegState): boolean => (reg.type & RegFlag.MEM_RCU) !== 0;

/** r0-r5 are the caller's scratch registers: unreadable after any call. */
export function clobberCallerSaved(env: Env): void {
  for (let r = 0; r <= 5; r++) {
    markRegNotInit(env.regs[r]!);
    checkRegArg(env, r, DST_OP_NO_MARK);
  }
}

/** The kfunc `call` src_reg 2 at `insn` names, checked for this program (fetch_kfunc_meta). */
function fetchKfunc(env: Env, insn: Instruction): KfuncProto {
  const kernel = env.opts.kernel;
  if (!kernel.present) env.fail('EINVAL', 'calling kernel function is not supported without CONFIG_DEBUG_INFO_BTF');
  if (insn.off !== 0) env.fail('EINVAL', 'kfunc offset > 0 without fd_array is invalid');
  const func = kernel.funcs.get(insn.imm);
  if (!func) env.fail('EINVAL', `kernel btf_id ${insn.imm} is not a function`);
  const proto = kfuncByName(func.name);
  if (!proto || !kfuncAllowed(proto, env.spec.progType)) env.fail('EACCES', `calling kernel function ${func.name} is not allowed`);
  if (!env.opts.gplCompatible) env.fail('EINVAL', 'cannot call kernel function from non-GPL compatible program');
  if (proto.flags & KF.SLEEPABLE && !env.opts.sleepable) env.fail('EACCES', `program must be sleepable to call sleepable kfunc ${proto.name}`);
  if (env.cur.lock) env.fail('EINVAL', 'function calls are not allowed while holding a lock');
  if (proto.flags & KF.SLEEPABLE && env.cur.activeRcuLock) env.fail('EACCES', `kernel func ${proto.name} is sleepable within rcu_read_lock region`);
  return proto;
}

/** What the arguments established: the reference an argument holds, and the register a release drops. */
interface KfuncMeta {
  refObjId: number;
  releaseRegno: number;
}

function checkPtrArg(env: Env, k: KfuncProto, p: Extract<KfuncParam, { kind: 'btf_ptr' }>, i: number, meta: KfuncMeta): void {
  const regno = i + 1;
  const reg = env.regs[regno]!;
  const release = (k.flags & KF.RELEASE) !== 0;
  // KF_RELEASE implies KF_TRUSTED_ARGS.
  const trustedArgs = (k.flags & KF.TRUSTED_ARGS) !== 0 || release;
  const rcu = (k.flags & KF.RCU) !== 0;
  if ((trustedArgs || rcu) && (isNull(reg) || typeMayBeNull(reg.type))) env.fail('EACCES', `Possibly NULL pointer passed to trusted arg${i}`);
  if (baseType(reg.type) !== RegType.PTR_TO_BTF_ID || typeMayBeNull(reg.type) || reg.type & RegFlag.MEM_PERCPU) {
    env.fail('EINVAL', `arg#${i} is ${regTypeStr(reg.type)} expected ptr_ or socket`);
  }
  if (reg.refObjId) {
    if (release && meta.refObjId) env.fail('EFAULT', `verifier internal error: more than one arg with ref_obj_id R${regno} ${reg.refObjId} ${meta.refObjId}`);
    meta.refObjId = reg.refObjId;
    if (release) meta.releaseRegno = regno;
  }
  if ((trustedArgs || rcu) && !isTrustedReg(reg)) {
    if (!rcu) env.fail('EINVAL', `R${regno} must be referenced or trusted`);
    if (!isRcuReg(reg)) env.fail('EINVAL', `R${regno} must be a rcu pointer`);
  }
  if (reg.off !== 0 && (trustedArgs || rcu)) env.fail('EINVAL', `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
  checkPtrOffReg(env, reg, regno, true);
  const want = env.opts.kernel.structId(p.struct);
  if (reg.btfId !== want) {
    env.fail('EINVAL', `kernel function ${k.name} args#${i} expected pointer to STRUCT ${p.struct} but R${regno} has a pointer to STRUCT ${env.opts.kernel.structName(reg.btfId)}`);
  }
}

function checkArgs(env: Env, k: KfuncProto): KfuncMeta {
  const meta: KfuncMeta = { refObjId: 0, releaseRegno: 0 };
  k.params.forEach((p, i) => {
    const regno = i + 1;
    checkRegArg(env, regno, SRC_OP);
    if (p.kind === 'scalar') {
      if (env.regs[regno]!.type !== RegType.SCALAR) env.fail('EINVAL', `R${regno} is not a scalar`);
      return;
    }
    checkPtrArg(env, k, p, i, meta);
  });
  if (k.flags & KF.RELEASE && !meta.releaseRegno) env.fail('EINVAL', `release kernel function ${k.name} expects refcounted PTR_TO_BTF_ID`);
  return meta;
}

/** bpf_rcu_read_lock / bpf_rcu_read_unlock: one section at a time; closing it makes RCU pointers untrusted. */
function rcuLockCall(env: Env, k: KfuncProto): boolean {
  if (k.name === 'bpf_rcu_read_lock') {
    if (env.cur.activeRcuLock) env.fail('EINVAL', `nested rcu read lock (kernel function ${k.name})`);
    env.cur.activeRcuLock = true;
    return true;
  }
  if (k.name === 'bpf_rcu_read_unlock') {
    if (!env.cur.activeRcuLock) env.fail('EINVAL', `unmatched rcu read unlock (kernel function ${k.name})`);
    env.cur.activeRcuLock = false;
    forEachReg(env.cur, (r) => {
      if (r.type & RegFlag.MEM_RCU) r.type = (r.type & ~(RegFlag.MEM_RCU | RegFlag.MAYBE_NULL)) | RegFlag.PTR_UNTRUSTED;
    });
    return true;
  }
  return false;
}

function setReturn(env: Env, k: KfuncProto): void {
  const r0 = env.regs[0]!;
  switch (k.ret.kind) {
    case 'void':
      markRegNotInit(r0);
      return;
    case 'scalar':
      markRegUnknown(env, r0);
      return;
    case 'btf_ptr': {
      const retNull = (k.flags & KF.RET_NULL) !== 0;
      markPointer(r0, RegType.PTR_TO_BTF_ID | (retNull ? RegFlag.MAYBE_NULL : 0));
      r0.btfId = env.opts.kernel.structId(k.ret.struct);
      if (retNull) r0.id = env.nextId();
      if (k.flags & KF.ACQUIRE) {
        const ref = acquireReference(env);
        r0.refObjId = ref;
        // A NULL check of an acquired pointer forgets the reference on the NULL branch.
        if (retNull) r0.id = ref;
      } else if (!retNull) {
        r0.type |= RegFlag.PTR_TRUSTED;
      }
    }
  }
}

/** Checks a kfunc call at `idx` and types r0. */
export function checkKfuncCall(env: Env, insn: Instruction): void {
  const k = fetchKfunc(env, insn);
  if (!rcuLockCall(env, k)) {
    const meta = checkArgs(env, k);
    if (k.flags & KF.RELEASE && !releaseReference(env, meta.refObjId)) {
      env.fail('EINVAL', `kernel function ${k.name} reference has not been acquired before`);
    }
  }
  clobberCallerSaved(env);
  setReturn(env, k);
}
