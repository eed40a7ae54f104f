/**
 * Kernel variables (ksyms): `lddw rX, var` with src_reg 3 (BPF_PSEUDO_BTF_ID) and imm the VAR's
 * id in the kernel BTF (the kernel's check_pseudo_btf_id and check_ld_imm). A per-CPU variable
 * is a `percpu_ptr_` that only bpf_this_cpu_ptr / bpf_per_cpu_ptr turn into this (or that) CPU's
 * copy; any other struct is a PTR_TO_BTF_ID; any other variable read-only memory of its size.
 */
import { HelperId } from '@bpfhive/uapi';
import { markPointer } from './bounds.js';
import type { Env } from './env.js';
import type { KernelTypes } from './kernel-btf.js';
import { clobberCallerSaved } from './kfunc.js';
import { SRC_OP, checkRegArg } from './reg-access.js';
import type { RegState } from './reg.js';
import { RegFlag, RegType, regTypeStr } from './reg-type.js';

/**
 * Why the kernel refuses `lddw` src_reg 3 with `imm`/`imm2` before running the program (the
 * resolve_pseudo_ldimm64 part), or undefined when it names a kernel variable.
 */
export function pseudoBtfIdFault(kernel: KernelTypes | undefined, imm: number, imm2: number): { errno: 'EINVAL' | 'ENOENT'; message: string } | undefined {
  if (!kernel?.present) return { errno: 'EINVAL', message: 'kernel is missing BTF, make sure CONFIG_DEBUG_INFO_BTF=y is specified in Kconfig.' };
  if (imm2 !== 0) return { errno: 'EINVAL', message: 'invalid module BTF object FD specified.' };
  if (kernel.vars.has(imm)) return undefined;
  if (kernel.funcs.has(imm) || kernel.structs.has(imm)) return { errno: 'EINVAL', message: `pseudo btf_id ${imm} in ldimm64 isn't KIND_VAR.` };
  return { errno: 'ENOENT', message: `ldimm64 insn specifies invalid btf_id ${imm}.` };
}

/** `lddw dst, ksym`: the register the variable's kind gives. */
export function loadKsym(env: Env, dst: RegState, imm: number): void {
  const v = env.opts.kernel.vars.get(imm)!;
  if (v.percpu) {
    markPointer(dst, RegType.PTR_TO_BTF_ID | RegFlag.MEM_PERCPU);
    dst.btfId = v.structId ?? 0;
    // What bpf_this_cpu_ptr gives for a variable that is not a struct: memory of its size.
    dst.memSize = v.size;
  } else if (v.structId !== undefined) {
    markPointer(dst, RegType.PTR_TO_BTF_ID);
    dst.btfId = v.structId;
  } else {
    markPointer(dst, RegType.PTR_TO_MEM | RegFlag.RDONLY);
    dst.memSize = v.size;
  }
}

/** bpf_this_cpu_ptr(percpu_ptr) and bpf_per_cpu_ptr(percpu_ptr, cpu): the CPU's copy (NULL for a bad cpu). */
export function checkPerCpuPtrCall(env: Env, id: number): void {
  checkRegArg(env, 1, SRC_OP);
  const r1 = env.regs[1]!;
  if (r1.type !== (RegType.PTR_TO_BTF_ID | RegFlag.MEM_PERCPU)) env.fail('EACCES', `R1 type=${regTypeStr(r1.type)} expected=percpu_ptr_`);
  const perCpu = id === HelperId.per_cpu_ptr;
  if (perCpu) checkRegArg(env, 2, SRC_OP);
  const { btfId, memSize } = r1;
  clobberCallerSaved(env);
  const r0 = env.regs[0]!;
  const nullable = perCpu ? RegFlag.MAYBE_NULL : 0;
  if (btfId !== 0) {
    markPointer(r0, RegType.PTR_TO_BTF_ID | nullable);
    r0.btfId = btfId;
  } else {
    markPointer(r0, RegType.PTR_TO_MEM | RegFlag.RDONLY | nullable);
    r0.memSize = memSize;
  }
  if (perCpu) r0.id = env.nextId();
}
