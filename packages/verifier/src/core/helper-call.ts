/**
 * Helper calls (the kernel's check_helper_call): the helper must exist and be allowed for the
 * program type and the loader's capabilities; each argument is checked against the prototype;
 * then r1-r5 become unreadable and r0 takes the helper's return type (a map value or NULL with a
 * fresh id, a ring buffer record holding a reference, a scalar…).
 */
import { markChainPrecision } from './precision.js';
import { HelperId, type HelperProto, type Instruction, MapType, helperAllowed, helperById } from '@bpfhive/uapi';
import { markPointer } from './bounds.js';
import { checkMemAccess } from './check-mem.js';
import type { Env } from './env.js';
import { type HelperMeta, checkFuncArg } from './helper-args.js';
import { checkMapFuncCompatibility } from './map-compat.js';
import { clearAllPktPointers } from './packet.js';
import { DST_OP_NO_MARK, checkRegArg, markRegNotInit, markRegUnknown } from './reg-access.js';
import { RegFlag, RegType, typeMayBeNull } from './reg-type.js';
import { acquireReference, checkResourceLeak, releaseReference } from './refs.js';
import { isNull } from './bounds.js';
import { pushCallbackCall } from './calls.js';
import { checkKptrXchgCall, isKernelPtrHelper } from './kptr.js';
import { checkPerCpuPtrCall } from './ksym.js';

/** bpf_kptr_xchg, bpf_this_cpu_ptr, bpf_per_cpu_ptr: typed by the kptr field or the ksym they take. */
function checkKernelPtrHelper(env: Env, id: number): void {
  if (id === HelperId.kptr_xchg) checkKptrXchgCall(env);
  else checkPerCpuPtrCall(env, id);
}
import { dynptrRefOf, initializesDynptr } from './dynptr.js';
import { pushAsyncCallback } from './timer.js';

/** Helpers returning a socket derived from their argument: the result holds the argument's reference. */
const PTR_CAST = new Set<number>([
  HelperId.tcp_sock, HelperId.sk_fullsock, HelperId.skc_to_tcp_sock, HelperId.skc_to_tcp6_sock, HelperId.skc_to_udp6_sock,
  HelperId.skc_to_mptcp_sock, HelperId.skc_to_tcp_timewait_sock, HelperId.skc_to_tcp_request_sock,
]);

/** The program's license allows GPL-only helpers (license_is_gpl_compatible). */
export function gplCompatible(license: string): boolean {
  return ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(license);
}

function lookupProto(env: Env, id: number): HelperProto {
  const fn = helperById(id);
  if (!fn) env.fail('EINVAL', `invalid func unknown#${id}`);
  if (!helperAllowed(env.spec, id, env.caps.privileges)) env.fail('EINVAL', `program of this type cannot use helper ${fn.funcName}#${id}`);
  if (!env.opts.gplCompatible && fn.gplOnly) env.fail('EINVAL', 'cannot call GPL-restricted function from non-GPL compatible program');
  if (fn.mightSleep && !env.opts.sleepable) env.fail('EINVAL', 'helper call might sleep in a non-sleepable prog');
  return fn;
}

/** Records what the JIT may inline: lookups of one ARRAY map with one constant in-range key. */
function recordLookup(env: Env, idx: number, meta: HelperMeta): void {
  const prev = env.lookups.get(idx);
  const map = meta.map;
  const ok = map !== null && map.type === MapType.ARRAY && meta.constKey !== null && meta.constKey < BigInt(map.maxEntries);
  if (!ok) {
    env.lookups.set(idx, 'varied');
    return;
  }
  if (prev === undefined) env.lookups.set(idx, { mapId: map.id, key: meta.constKey! });
  else if (prev !== 'varied' && (prev.mapId !== map.id || prev.key !== meta.constKey)) env.lookups.set(idx, 'varied');
}

export function checkHelperCall(env: Env, insn: Instruction, idx: number): void {
  const id = insn.imm;
  const fn = lookupProto(env, id);
  env.helpersUsed.add(id);
  if (isKernelPtrHelper(id)) return checkKernelPtrHelper(env, id);
  const meta: HelperMeta = {
    pktAccess: fn.pktAccess, rawMode: false, raw: null, msizeMax: 0n,
    map: null, constKey: null, refObjId: 0, releaseRegno: 0, subprogno: 0, memSize: 0,
  };
  for (let i = 0; i < 5; i++) checkFuncArg(env, fn, i, meta);

  // Stack memory the helper fills counts as written from here on.
  if (meta.raw) for (let i = 0; i < meta.raw.size; i++) checkMemAccess(env, meta.raw.regno, i, 1, true, -1);

  const regs = env.regs;
  if (meta.releaseRegno) {
    const ok = meta.refObjId ? releaseReference(env, meta.refObjId) : isNull(regs[meta.releaseRegno]!);
    if (!ok) env.fail('EINVAL', `func ${fn.funcName}#${id} reference has not been acquired before`);
  }

  switch (id) {
    case HelperId.tail_call:
      checkResourceLeak(env, true, 'tail_call');
      env.usesTailCall = true;
      break;
    case HelperId.map_lookup_elem:
      recordLookup(env, idx, meta);
      break;
    case HelperId.for_each_map_elem:
      pushCallbackCall(env, idx, meta.subprogno, (caller, callee) => {
        callee.regs[1]!.copyFrom(caller.regs[1]!);
        markPointer(callee.regs[2]!, RegType.PTR_TO_MAP_KEY);
        callee.regs[2]!.map = meta.map;
        markPointer(callee.regs[3]!, RegType.PTR_TO_MAP_VALUE);
        callee.regs[3]!.map = meta.map;
        callee.regs[4]!.copyFrom(caller.regs[3]!);
      });
      break;
    case HelperId.loop: {
      markChainPrecision(env, 1);
      const frame = env.frame;
      if (BigInt(frame.callbackDepth) < regs[1]!.umax) {
        pushCallbackCall(env, idx, meta.subprogno, (caller, callee) => {
          callee.regs[1]!.type = RegType.SCALAR;
          callee.regs[2]!.copyFrom(caller.regs[3]!);
        });
      } else {
        frame.callbackDepth = 0;
        if (env.log.level2) env.verbose(`frame${env.cur.curframe} bpf_loop iteration limit reached\n`);
      }
      break;
    }
    case HelperId.timer_set_callback:
      pushAsyncCallback(env, idx, meta.subprogno, meta.map!);
      break;
    case HelperId.find_vma:
      pushCallbackCall(env, idx, meta.subprogno, (caller, callee) => {
        markPointer(callee.regs[1]!, RegType.PTR_TO_BTF_ID);
        markPointer(callee.regs[2]!, RegType.PTR_TO_BTF_ID);
        callee.regs[3]!.copyFrom(caller.regs[4]!);
      });
      break;
    default:
      break;
  }

  // r0-r5 are the caller's scratch registers.
  for (let r = 0; r <= 5; r++) {
    markRegNotInit(regs[r]!);
    checkRegArg(env, r, DST_OP_NO_MARK);
  }
  setReturn(env, fn, meta, id);
  checkMapFuncCompatibility(env, meta.map, id);
  if (fn.changesPktData) clearAllPktPointers(env);
}

function setReturn(env: Env, fn: HelperProto, meta: HelperMeta, id: number): void {
  const r0 = env.regs[0]!;
  const maybeNull = fn.ret.endsWith('_OR_NULL');
  switch (fn.ret) {
    case 'RET_INTEGER':
      markRegUnknown(env, r0);
      break;
    case 'RET_VOID':
      markRegNotInit(r0);
      break;
    case 'RET_PTR_TO_MAP_VALUE':
    case 'RET_PTR_TO_MAP_VALUE_OR_NULL': {
      if (!meta.map) env.fail('EINVAL', 'kernel subsystem misconfigured verifier');
      let nullable = maybeNull;
      const map = meta.map;
      if (nullable && id === HelperId.map_lookup_elem && (map.type === MapType.ARRAY || map.type === MapType.PERCPU_ARRAY) &&
        meta.constKey !== null && meta.constKey < BigInt(map.maxEntries)) {
        nullable = false;
      }
      markPointer(r0, RegType.PTR_TO_MAP_VALUE | (nullable ? RegFlag.MAYBE_NULL : 0));
      r0.map = map;
      if (!nullable && map.spinLockOff !== undefined) r0.id = env.nextId();
      break;
    }
    case 'RET_PTR_TO_SOCKET_OR_NULL':
      markPointer(r0, RegType.PTR_TO_SOCKET | RegFlag.MAYBE_NULL);
      break;
    case 'RET_PTR_TO_TCP_SOCK_OR_NULL':
      markPointer(r0, RegType.PTR_TO_TCP_SOCK | RegFlag.MAYBE_NULL);
      break;
    case 'RET_PTR_TO_SOCK_COMMON_OR_NULL':
      markPointer(r0, RegType.PTR_TO_SOCK_COMMON | RegFlag.MAYBE_NULL);
      break;
    case 'RET_PTR_TO_RINGBUF_MEM_OR_NULL':
      markPointer(r0, RegType.PTR_TO_MEM | RegFlag.RINGBUF | RegFlag.MAYBE_NULL);
      r0.memSize = meta.memSize;
      break;
    case 'RET_PTR_TO_DYNPTR_MEM_OR_NULL':
      markPointer(r0, RegType.PTR_TO_MEM | RegFlag.MAYBE_NULL);
      r0.memSize = meta.memSize;
      r0.refObjId = dynptrRefOf(meta);
      break;
    default:
      // BTF-typed kernel objects: typed by their struct when the request describes it (kernel-btf.ts), trusted when the helper says so.
      markPointer(r0, RegType.PTR_TO_BTF_ID | (maybeNull ? RegFlag.MAYBE_NULL : 0) | (fn.ret === 'RET_PTR_TO_BTF_ID_TRUSTED' ? RegFlag.PTR_TRUSTED : 0));
      if (fn.retBtf && fn.retBtf !== '*') r0.btfId = env.opts.kernel.structId(fn.retBtf);
      break;
  }
  if (typeMayBeNull(r0.type)) r0.id = env.nextId();
  if (PTR_CAST.has(id)) {
    r0.refObjId = meta.refObjId;
  } else if (fn.acquiresRef && !initializesDynptr(fn)) {
    const ref = acquireReference(env);
    r0.id = ref;
    r0.refObjId = ref;
  }
}
