/**
 * One helper argument checked against its prototype (the kernel's check_func_arg and
 * check_reg_type): the register's type must be one the argument kind accepts ("R2 type=scalar
 * expected=fp, pkt, …"), memory must be readable or writable for its size, maps must be known,
 * references must be held by what is released.
 */
import { markChainPrecision, markSlotPrecision } from './precision.js';
import { type HelperArg, type HelperProto, argHasFlag } from '@bpfhive/uapi';
import { isNull } from './bounds.js';
import { checkPtrOffReg } from './ctx-access.js';
import type { Env } from './env.js';
import { type CallMeta, checkHelperMemAccess, checkMemSizeReg } from './helper-mem.js';
import { mayAccessDirectPktData } from './packet.js';
import { SRC_OP, checkRegArg, isPointerValue } from './reg-access.js';
import type { RegState } from './reg.js';
import type { MapInfo } from './map-info.js';
import { RegFlag, RegType, isPktPointer, regTypeStr } from './reg-type.js';
import { processSpinLock } from './spin-lock.js';
import { processDynptrArg } from './dynptr.js';
import { checkTimerMapMatch, processTimerFunc } from './timer.js';
import { tnumIsConst } from './tnum.js';
import { MapFlag } from '@bpfhive/uapi';

/** What the arguments of one call established. */
export interface HelperMeta extends CallMeta {
  map: MapInfo | null;
  /** The constant key of a map lookup, when the key is a known stack value. */
  constKey: bigint | null;
  refObjId: number;
  releaseRegno: number;
  subprogno: number;
  /** ARG_CONST_ALLOC_SIZE_OR_ZERO: the size of the memory returned. */
  memSize: number;
}

const MEM_TYPES = [
  RegType.PTR_TO_STACK, RegType.PTR_TO_PACKET, RegType.PTR_TO_PACKET_META, RegType.PTR_TO_MAP_KEY,
  RegType.PTR_TO_MAP_VALUE, RegType.PTR_TO_MEM, RegType.PTR_TO_MEM | RegFlag.RINGBUF,
];
const MEM_NAMES = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_';
const SOCK_TYPES = [RegType.PTR_TO_SOCK_COMMON, RegType.PTR_TO_SOCKET, RegType.PTR_TO_TCP_SOCK, RegType.PTR_TO_XDP_SOCK];

/** Register types each argument kind accepts, and how the kernel lists them. */
const COMPATIBLE: Record<string, { types: readonly number[]; names: string }> = {
  ARG_PTR_TO_MAP_KEY: { types: MEM_TYPES, names: MEM_NAMES },
  ARG_PTR_TO_MAP_VALUE: { types: MEM_TYPES, names: MEM_NAMES },
  ARG_PTR_TO_MEM: { types: MEM_TYPES, names: MEM_NAMES },
  ARG_CONST_SIZE: { types: [RegType.SCALAR], names: 'scalar' },
  ARG_CONST_SIZE_OR_ZERO: { types: [RegType.SCALAR], names: 'scalar' },
  ARG_CONST_ALLOC_SIZE_OR_ZERO: { types: [RegType.SCALAR], names: 'scalar' },
  ARG_CONST_MAP_PTR: { types: [RegType.CONST_PTR_TO_MAP], names: 'map_ptr' },
  ARG_PTR_TO_CTX: { types: [RegType.PTR_TO_CTX], names: 'ctx' },
  ARG_PTR_TO_SOCK_COMMON: { types: SOCK_TYPES, names: 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_' },
  ARG_PTR_TO_BTF_ID_SOCK_COMMON: { types: [...SOCK_TYPES, RegType.PTR_TO_BTF_ID], names: 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_' },
  ARG_PTR_TO_SOCKET: { types: [RegType.PTR_TO_SOCKET], names: 'sock' },
  ARG_PTR_TO_BTF_ID: { types: [RegType.PTR_TO_BTF_ID], names: 'ptr_, trusted_ptr_, rcu_ptr_' },
  ARG_PTR_TO_SPIN_LOCK: { types: [RegType.PTR_TO_MAP_VALUE], names: 'map_value, ptr_' },
  ARG_PTR_TO_RINGBUF_MEM: { types: [RegType.PTR_TO_MEM | RegFlag.RINGBUF], names: 'ringbuf_mem' },
  ARG_PTR_TO_FUNC: { types: [RegType.PTR_TO_FUNC], names: 'func' },
  ARG_PTR_TO_STACK: { types: [RegType.PTR_TO_STACK], names: 'fp' },
  ARG_PTR_TO_CONST_STR: { types: [RegType.PTR_TO_MAP_VALUE], names: 'map_value' },
  ARG_PTR_TO_TIMER: { types: [RegType.PTR_TO_MAP_VALUE], names: 'map_value' },
  ARG_PTR_TO_DYNPTR: { types: [RegType.PTR_TO_STACK], names: 'fp, dynptr_ptr' },
};

function checkRegType(env: Env, reg: RegState, regno: number, arg: HelperArg): void {
  const compat = COMPATIBLE[arg.kind];
  if (!compat) env.fail('EINVAL', `verifier internal error: unsupported arg type ${arg.kind}`);
  let type = reg.type;
  if (argHasFlag(arg, 'MEM_RDONLY')) type &= ~RegFlag.RDONLY;
  if (argHasFlag(arg, 'PTR_MAYBE_NULL')) type &= ~RegFlag.MAYBE_NULL;
  if (!compat.types.includes(type)) env.fail('EACCES', `R${regno} type=${regTypeStr(reg.type)} expected=${compat.names}`);
}

const isRelease = (arg: HelperArg): boolean => argHasFlag(arg, 'OBJ_RELEASE');

/** Offsets a pointer may carry into a helper (check_func_arg_reg_off). */
function checkArgRegOff(env: Env, reg: RegState, regno: number, release: boolean): void {
  if (release) {
    if (reg.off) env.fail('EINVAL', `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
    checkPtrOffReg(env, reg, regno);
    return;
  }
  switch (reg.type) {
    case RegType.PTR_TO_STACK:
    case RegType.PTR_TO_PACKET:
    case RegType.PTR_TO_PACKET_META:
    case RegType.PTR_TO_MAP_KEY:
    case RegType.PTR_TO_MAP_VALUE:
    case RegType.PTR_TO_MEM:
    case RegType.PTR_TO_MEM | RegFlag.RDONLY:
    case RegType.PTR_TO_MEM | RegFlag.RINGBUF:
    case RegType.SCALAR:
      return;
    case RegType.PTR_TO_BTF_ID:
      checkPtrOffReg(env, reg, regno, true);
      return;
    default:
      checkPtrOffReg(env, reg, regno);
  }
}

/** The value of a map key on the stack, when it is a known constant (get_constant_map_key). */
function constantMapKey(env: Env, key: RegState, keySize: number): bigint | null {
  if (!env.caps.bpfCapable || key.type !== RegType.PTR_TO_STACK || !tnumIsConst(key.varOff)) return null;
  const frame = env.cur.frames[key.frameno]!;
  const stackOff = key.off + Number(BigInt.asIntN(64, key.varOff.value));
  const slotIdx = -stackOff - 1;
  const spi = Math.floor(slotIdx / 8);
  const off = slotIdx % 8;
  const slot = frame.stack[spi];
  if (!slot) return null;
  let zeros = 0;
  for (let i = off; i >= 0 && slot.types[i] === 3 /* ZERO */; i--) zeros++;
  if (zeros >= keySize) return 0n;
  if (!slot.isSpilledScalar) return null;
  let spill = 0;
  for (let i = off; i >= 0 && slot.types[i] === 1 /* SPILL */; i--) spill++;
  if (spill !== keySize || !tnumIsConst(slot.spilled.varOff)) return null;
  markSlotPrecision(env, key.frameno, spi);
  return slot.spilled.varOff.value;
}

/** Checks argument `i` (register r(i+1)) of `fn`. */
export function checkFuncArg(env: Env, fn: HelperProto, i: number, meta: HelperMeta): void {
  const arg = fn.args[i];
  if (!arg) return;
  const regno = i + 1;
  const reg = env.regs[regno]!;
  checkRegArg(env, regno, SRC_OP);
  if (arg.kind === 'ARG_ANYTHING') {
    if (isPointerValue(env, reg)) env.fail('EACCES', `R${regno} leaks addr into helper function`);
    return;
  }
  if (isPktPointer(reg.type) && !(mayAccessDirectPktData(env, false) && meta.pktAccess)) {
    env.fail('EACCES', 'helper access to the packet is not allowed');
  }
  // A dynptr's reference lives in its stack slots, released by processDynptrArg.
  const release = isRelease(arg) && arg.kind !== 'ARG_PTR_TO_DYNPTR';
  const nullOk = argHasFlag(arg, 'PTR_MAYBE_NULL') && isNull(reg);
  if (!nullOk) {
    checkRegType(env, reg, regno, arg);
    checkArgRegOff(env, reg, regno, release);
  }
  if (release) {
    if (!reg.refObjId && !isNull(reg)) env.fail('EINVAL', `R${regno} must be referenced when passed to release function`);
    meta.releaseRegno = regno;
  }
  if (reg.refObjId) {
    if (meta.refObjId) env.fail('EFAULT', `verifier internal error: more than one arg with ref_obj_id R${regno} ${reg.refObjId} ${meta.refObjId}`);
    meta.refObjId = reg.refObjId;
  }
  const write = argHasFlag(arg, 'MEM_WRITE') || argHasFlag(arg, 'MEM_UNINIT');
  switch (arg.kind) {
    case 'ARG_CONST_MAP_PTR':
      checkTimerMapMatch(env, meta, reg);
      meta.map = reg.map;
      break;
    case 'ARG_PTR_TO_MAP_KEY':
      if (!meta.map) env.fail('EACCES', 'invalid map_ptr to access map->key');
      checkHelperMemAccess(env, regno, meta.map.keySize, false, false, null);
      meta.constKey = constantMapKey(env, reg, meta.map.keySize);
      break;
    case 'ARG_PTR_TO_MAP_VALUE':
      if (nullOk) break;
      if (!meta.map) env.fail('EACCES', 'invalid map_ptr to access map->value');
      meta.rawMode = argHasFlag(arg, 'MEM_UNINIT');
      checkHelperMemAccess(env, regno, meta.map.valueSize, write, false, meta);
      break;
    case 'ARG_PTR_TO_SPIN_LOCK':
      processSpinLock(env, reg, regno, fn.name === 'spin_lock');
      break;
    case 'ARG_PTR_TO_FUNC':
      meta.subprogno = reg.subprogno;
      break;
    case 'ARG_PTR_TO_MEM':
      meta.rawMode = argHasFlag(arg, 'MEM_UNINIT');
      if (argHasFlag(arg, 'MEM_FIXED_SIZE') && !nullOk) checkHelperMemAccess(env, regno, arg.size ?? 0, write, false, meta);
      break;
    case 'ARG_CONST_SIZE':
    case 'ARG_CONST_SIZE_OR_ZERO': {
      const prev = fn.args[i - 1];
      const prevWrite = prev ? argHasFlag(prev, 'MEM_WRITE') || argHasFlag(prev, 'MEM_UNINIT') : false;
      const memReg = env.regs[regno - 1]!;
      const memNull = prev !== undefined && argHasFlag(prev, 'PTR_MAYBE_NULL') && isNull(memReg);
      if (memNull && isNull(reg)) break;
      checkMemSizeReg(env, reg, regno, prevWrite, arg.kind === 'ARG_CONST_SIZE_OR_ZERO', meta);
      break;
    }
    case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
      if (!tnumIsConst(reg.varOff)) env.fail('EACCES', `R${regno} is not a known constant'`);
      meta.memSize = Number(reg.varOff.value);
      markChainPrecision(env, regno);
      break;
    case 'ARG_PTR_TO_CONST_STR': {
      const map = reg.map!;
      if (!map.frozen && !(map.flags & MapFlag.RDONLY_PROG)) env.fail('EACCES', `R${regno} does not point to a readonly map'`);
      if (!tnumIsConst(reg.varOff)) env.fail('EACCES', `R${regno} is not a constant address'`);
      break;
    }
    case 'ARG_PTR_TO_TIMER':
      processTimerFunc(env, reg, regno, meta);
      break;
    case 'ARG_PTR_TO_DYNPTR':
      processDynptrArg(env, fn, i, regno, meta);
      break;
    default:
      break;
  }
}
