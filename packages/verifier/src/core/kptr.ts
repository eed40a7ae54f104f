/**
 * kptrs: map value fields that hold pointers to kernel objects, declared in the value's BTF as
 * `struct task_struct __kptr *` (a referenced kptr: the map holds a reference) or
 * `__kptr_untrusted *` (no reference). After the kernel's check_map_kptr_access and
 * process_kptr_func:
 * - a field is read or written only whole, 8 bytes at its constant offset, by BPF_MEM
 *   instructions, never by helpers;
 * - a load gives PTR_TO_BTF_ID or NULL: `rcu_` for a referenced kptr to an RCU-protected struct
 *   read inside an RCU section (every non-sleepable program is one), else `untrusted_`;
 * - a referenced kptr is written only by bpf_kptr_xchg(field, ptr), which moves the reference
 *   `ptr` holds (or NULL) into the map and returns the old one as a new reference (or NULL);
 *   an untrusted one may be stored directly with a pointer of its type, or 0.
 */
import { HelperId, InsnClass, Mode } from '@bpfhive/uapi';
import { isNull, markPointer } from './bounds.js';
import type { Env } from './env.js';
import { clobberCallerSaved } from './kfunc.js';
import type { KptrField, MapInfo } from './map-info.js';
import { SRC_OP, checkRegArg } from './reg-access.js';
import type { RegState } from './reg.js';
import { RegFlag, RegType, baseType, regTypeStr, typeMayBeNull } from './reg-type.js';
import { acquireReference, releaseReference } from './refs.js';
import { tnumIsConst } from './tnum.js';

const KPTR_SIZE = 8;
/** Structs freed only after an RCU grace period (the kernel's rcu_protected_types). */
const RCU_PROTECTED = new Set(['task_struct', 'cgroup', 'bpf_cpumask']);

export const kptrFieldAt = (map: MapInfo, off: number): KptrField | undefined => map.kptrs.find((f) => f.off === off);

/**
 * check_map_access's part for kptr fields: an access overlapping one must be direct, at a
 * constant offset, exactly the field's 8 bytes. `off` includes the register's fixed offset.
 */
export function checkKptrOverlap(env: Env, reg: RegState, off: number, size: number, direct: boolean): void {
  const kptrs = reg.map!.kptrs;
  if (kptrs.length === 0) return;
  const lo = Number(reg.smin) + off;
  const hi = Number(reg.umax) + off + size;
  for (const f of kptrs) {
    if (!(lo < f.off + KPTR_SIZE && f.off < hi)) continue;
    if (!direct) env.fail('EACCES', 'kptr cannot be accessed indirectly by helper');
    if (!tnumIsConst(reg.varOff)) env.fail('EACCES', 'kptr access cannot have variable offset');
    const at = off + Number(reg.varOff.value);
    if (f.off !== at) env.fail('EACCES', `kptr access misaligned expected=${f.off} off=${at}`);
    if (size !== KPTR_SIZE) env.fail('EACCES', 'kptr access size must be BPF_DW');
  }
}

/** Inside an RCU read section: bpf_rcu_read_lock, a spin lock, or any non-sleepable program (in_rcu_cs). */
const inRcuCs = (env: Env): boolean => env.cur.activeRcuLock || env.cur.lock !== null || !env.opts.sleepable;

/** The pointer type a store into `field` accepts (map_kptr_match_type); fails with the kernel's words. */
function matchKptrType(env: Env, field: KptrField, reg: RegState, regno: number): void {
  const kernel = env.opts.kernel;
  const want = `ptr_${kernel.structName(field.btfId)}`;
  const ok = baseType(reg.type) === RegType.PTR_TO_BTF_ID && !typeMayBeNull(reg.type) && !(reg.type & RegFlag.MEM_PERCPU) &&
    reg.btfId === field.btfId && reg.off === 0 && tnumIsConst(reg.varOff) && reg.varOff.value === 0n;
  if (ok) return;
  const got = baseType(reg.type) === RegType.PTR_TO_BTF_ID ? `${regTypeStr(reg.type)}${kernel.structName(reg.btfId)}` : regTypeStr(reg.type);
  env.fail('EACCES', `invalid kptr access, R${regno} type=${got} expected=${want}`);
}

/**
 * A load or store at a map value's kptr field (check_map_kptr_access); false when `off` is no
 * kptr field. A load types `value`; a store checks it.
 */
export function checkMapKptrAccess(env: Env, reg: RegState, off: number, value: RegState | null, valueRegno: number, imm: number | undefined): boolean {
  if (reg.map!.kptrs.length === 0) return false;
  const field = kptrFieldAt(reg.map!, off + Number(reg.varOff.value));
  if (!field) return false;
  const insn = env.insn(env.insnIdx);
  if ((insn.opcode & 0xe0) !== Mode.MEM) env.fail('EACCES', 'kptr in map can only be accessed using BPF_MEM instruction mode');
  const cls = insn.opcode & 0x07;
  if (cls === InsnClass.LDX) {
    const rcu = field.kind === 'ref' && RCU_PROTECTED.has(env.opts.kernel.structName(field.btfId)) && inRcuCs(env);
    markPointer(value!, RegType.PTR_TO_BTF_ID | RegFlag.MAYBE_NULL | (rcu ? RegFlag.MEM_RCU : RegFlag.PTR_UNTRUSTED));
    value!.btfId = field.btfId;
    value!.id = env.nextId();
  } else if (cls === InsnClass.STX) {
    if (field.kind === 'ref') env.fail('EACCES', 'store to referenced kptr disallowed');
    if (!isNull(value!)) matchKptrType(env, field, value!, valueRegno);
  } else if ((imm ?? 0) !== 0) {
    env.fail('EACCES', `BPF_ST imm must be 0 when storing to kptr at off=${field.off}`);
  }
  return true;
}

/** bpf_kptr_xchg(map_value + field, ptr): swaps the reference in the field for `ptr`'s (process_kptr_func). */
export function checkKptrXchgCall(env: Env): void {
  checkRegArg(env, 1, SRC_OP);
  checkRegArg(env, 2, SRC_OP);
  const [r1, r2] = [env.regs[1]!, env.regs[2]!];
  if (r1.type !== RegType.PTR_TO_MAP_VALUE) env.fail('EACCES', `R1 type=${regTypeStr(r1.type)} expected=map_value`);
  const map = r1.map!;
  if (map.kptrs.length === 0) env.fail('EINVAL', `map '${map.name}' has no valid kptr`);
  if (!tnumIsConst(r1.varOff)) env.fail('EACCES', 'R1 doesn\'t have constant offset. kptr has to be at the constant offset');
  const off = r1.off + Number(r1.varOff.value);
  const field = kptrFieldAt(map, off);
  if (!field) env.fail('EACCES', `off=${off} doesn't point to kptr`);
  if (field.kind !== 'ref') env.fail('EACCES', `off=${off} kptr isn't referenced kptr`);
  if (!isNull(r2)) {
    matchKptrType(env, field, r2, 2);
    if (!r2.refObjId) env.fail('EINVAL', 'R2 must be referenced when passed to release function');
    // The reference moves into the map: every copy of the pointer is unusable from here.
    releaseReference(env, r2.refObjId);
  }
  clobberCallerSaved(env);
  const r0 = env.regs[0]!;
  markPointer(r0, RegType.PTR_TO_BTF_ID | RegFlag.MAYBE_NULL);
  r0.btfId = field.btfId;
  const ref = acquireReference(env);
  r0.id = ref;
  r0.refObjId = ref;
}

/** Helpers that take kernel pointers this file and ksym.ts type themselves. */
export const isKernelPtrHelper = (id: number): boolean => id === HelperId.kptr_xchg || id === HelperId.per_cpu_ptr || id === HelperId.this_cpu_ptr;
