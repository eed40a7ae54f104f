/**
 * Loads and stores through a pointer (the kernel's check_mem_access and check_ptr_alignment):
 * dispatches on the pointer's type to the stack, map, packet, context and memory checks, then
 * types the loaded register. Pointers may not be stored where a loader without CAP_PERFMON could
 * read them back as numbers ("R1 leaks addr into map").
 */
import { InsnClass, type Instruction, Mode, sizeBytes, type Size } from '@bpfhive/uapi';
import { coerceToSize, coerceToSizeSx } from './bounds.js';
import { checkCtxAccessAt, checkPtrOffReg } from './ctx-access.js';
import type { Env } from './env.js';
import { checkPtrToBtfAccess } from './btf-access.js';
import { checkMapKptrAccess } from './kptr.js';
import { checkMapAccess, checkMapAccessType } from './map-access.js';
import { checkMemRegionAccess } from './mem-region.js';
import { checkPacketAccess, mayAccessDirectPktData } from './packet.js';
import { DST_OP_NO_MARK, SRC_OP, checkRegArg, isPointerValue, markRegUnknown } from './reg-access.js';
import type { RegState } from './reg.js';
import { RegFlag, RegType, baseType, isSockPointer, regTypeStr, typeMayBeNull } from './reg-type.js';
import { checkStackAccessWithinBounds, checkStackRead, checkStackWrite } from './stack-access.js';
import { tnumAdd, tnumConst, tnumIsAligned, tnumString } from './tnum.js';

/** sizeof(struct bpf_flow_keys), sizeof(struct bpf_sock), sizeof(struct bpf_tcp_sock), sizeof(struct bpf_xdp_sock). */
const FLOW_KEYS_SIZE = 56;
const SOCK_SIZE: Record<number, number> = {
  [RegType.PTR_TO_SOCKET]: 80,
  [RegType.PTR_TO_SOCK_COMMON]: 80,
  [RegType.PTR_TO_TCP_SOCK]: 112,
  [RegType.PTR_TO_XDP_SOCK]: 4,
};

function checkAlignment(env: Env, reg: RegState, off: number, size: number, strictOnce: boolean): void {
  let strict = env.opts.strictAlignment || strictOnce;
  let desc = '';
  const t = reg.type;
  if (t === RegType.PTR_TO_PACKET || t === RegType.PTR_TO_PACKET_META) {
    if (!strict || size === 1) return;
    const ipAlign = 2;
    const regOff = tnumAdd(reg.varOff, tnumConst(BigInt(ipAlign + reg.off + off)));
    if (!tnumIsAligned(regOff, size)) {
      env.fail('EACCES', `misaligned packet access off ${ipAlign}+${tnumString(reg.varOff)}+${reg.off}+${off} size ${size}`);
    }
    return;
  }
  switch (baseType(t)) {
    case RegType.PTR_TO_FLOW_KEYS: desc = 'flow keys '; break;
    case RegType.PTR_TO_MAP_KEY: desc = 'key '; break;
    case RegType.PTR_TO_MAP_VALUE: desc = 'value '; break;
    case RegType.PTR_TO_CTX: desc = 'context '; break;
    case RegType.PTR_TO_STACK:
      desc = 'stack ';
      // Spill tracking relies on aligned stack accesses.
      strict = true;
      break;
    case RegType.PTR_TO_SOCKET: desc = 'sock '; break;
    case RegType.PTR_TO_SOCK_COMMON: desc = 'sock_common '; break;
    case RegType.PTR_TO_TCP_SOCK: desc = 'tcp_sock '; break;
    case RegType.PTR_TO_XDP_SOCK: desc = 'xdp_sock '; break;
    default: break;
  }
  if (!strict || size === 1) return;
  const regOff = tnumAdd(reg.varOff, tnumConst(BigInt(reg.off + off)));
  if (!tnumIsAligned(regOff, size)) {
    env.fail('EACCES', `misaligned ${desc}access off ${tnumString(reg.varOff)}+${reg.off}+${off} size ${size}`);
  }
}

/**
 * An access of `size` bytes at `regs[regno] + off`. `valueRegno` is the register loaded into
 * (reads) or stored from (writes), -1 for none; `imm` is a BPF_ST's immediate.
 */
export function checkMemAccess(
  env: Env,
  regno: number,
  insnOff: number,
  size: number,
  write: boolean,
  valueRegno: number,
  opts: { strictOnce?: boolean; sx?: boolean; imm?: number } = {},
): void {
  const regs = env.regs;
  const reg = regs[regno]!;
  checkAlignment(env, reg, insnOff, size, opts.strictOnce ?? false);
  const off = insnOff + reg.off;
  const value = valueRegno >= 0 ? regs[valueRegno]! : null;
  const leaks = (where: string): void => {
    if (write && value && isPointerValue(env, value)) env.fail('EACCES', `R${valueRegno} leaks addr into ${where}`);
  };
  const t = reg.type;
  const b = baseType(t);

  if (t === RegType.PTR_TO_MAP_KEY) {
    if (write) env.fail('EACCES', `write to change key R${regno} not allowed`);
    checkMemRegionAccess(env, reg, regno, off, size, reg.map!.keySize, false);
    if (value) markRegUnknown(env, value);
  } else if (t === RegType.PTR_TO_MAP_VALUE) {
    leaks('map');
    checkMapAccessType(env, reg, insnOff, size, write);
    checkMapAccess(env, reg, regno, off, size, false);
    if (!checkMapKptrAccess(env, reg, off, value, valueRegno, opts.imm) && !write && value) markRegUnknown(env, value);
  } else if (b === RegType.PTR_TO_MEM) {
    if (typeMayBeNull(t)) env.fail('EACCES', `R${regno} invalid mem access '${regTypeStr(t)}'`);
    const rdonly = (t & RegFlag.RDONLY) !== 0;
    if (write && rdonly) env.fail('EACCES', `R${regno} cannot write into ${regTypeStr(t)}`);
    leaks('mem');
    checkMemRegionAccess(env, reg, regno, off, size, reg.memSize, false);
    if (value && !write) markRegUnknown(env, value);
  } else if (t === RegType.PTR_TO_CTX) {
    leaks('ctx');
    checkPtrOffReg(env, reg, regno);
    checkCtxAccessAt(env, off, size, write, write ? null : value);
  } else if (t === RegType.PTR_TO_STACK) {
    checkStackAccessWithinBounds(env, reg, regno, off, size, write);
    if (write) checkStackWrite(env, reg, off, size, valueRegno, opts.imm);
    else checkStackRead(env, reg, regno, off, size, valueRegno);
  } else if (t === RegType.PTR_TO_PACKET || t === RegType.PTR_TO_PACKET_META) {
    if (write && !mayAccessDirectPktData(env, true)) env.fail('EACCES', 'cannot write into packet');
    leaks('packet');
    checkPacketAccess(env, reg, regno, off, size, false);
    if (!write && value) markRegUnknown(env, value);
  } else if (t === RegType.PTR_TO_FLOW_KEYS) {
    leaks('flow_keys');
    checkPtrOffReg(env, reg, regno, true);
    if (off < 0 || off + size > FLOW_KEYS_SIZE) env.fail('EACCES', `invalid access to flow keys off=${off} size=${size}`);
    if (!write && value) markRegUnknown(env, value);
  } else if (isSockPointer(t) && !typeMayBeNull(t)) {
    if (write) env.fail('EACCES', `R${regno} cannot write into ${regTypeStr(t)}`);
    checkPtrOffReg(env, reg, regno);
    if (off < 0 || off % size !== 0 || off + size > (SOCK_SIZE[b] ?? 0)) {
      env.fail('EACCES', `R${regno} invalid ${regTypeStr(t)} access off=${off} size=${size}`);
    }
    if (value) markRegUnknown(env, value);
  } else if (b === RegType.PTR_TO_BTF_ID && !typeMayBeNull(t) && !(t & RegFlag.MEM_PERCPU)) {
    checkPtrToBtfAccess(env, reg, regno, off, size, write, value);
  } else if (t === RegType.CONST_PTR_TO_MAP) {
    env.fail('EACCES', 'map_ptr access not supported without CONFIG_DEBUG_INFO_BTF');
  } else {
    env.fail('EACCES', `R${regno} invalid mem access '${regTypeStr(t)}'`);
  }

  if (!write && value && size < 8 && value.type === RegType.SCALAR) {
    if (opts.sx) coerceToSizeSx(value, size);
    else coerceToSize(value, size);
  }
}

/** Kinds of pointer an instruction keeps using on every path (save_aux_ptr_type). */
const mismatchOk = (t: number): boolean => {
  const b = baseType(t);
  return !(b === RegType.PTR_TO_CTX || isSockPointer(b) || b === RegType.PTR_TO_BTF_ID);
};

function saveAuxPtrType(env: Env, type: number): void {
  const ptrTypes = env.ptrTypes;
  const prev = ptrTypes.get(env.insnIdx);
  if (prev === undefined) {
    ptrTypes.set(env.insnIdx, type);
    return;
  }
  if (prev !== type && (!mismatchOk(type) || !mismatchOk(prev))) env.fail('EINVAL', 'same insn cannot be used with different pointers');
}

/** LDX (MEM and MEMSX). */
export function checkLoad(env: Env, insn: Instruction): void {
  checkRegArg(env, insn.src, SRC_OP);
  checkRegArg(env, insn.dst, DST_OP_NO_MARK);
  const srcType = env.regs[insn.src]!.type;
  const sx = (insn.opcode & 0xe0) === Mode.MEMSX;
  checkMemAccess(env, insn.src, insn.off, sizeBytes((insn.opcode & 0x18) as Size), false, insn.dst, { sx });
  saveAuxPtrType(env, srcType);
}

/** STX MEM and ST MEM. */
export function checkStore(env: Env, insn: Instruction): void {
  const isSt = (insn.opcode & 0x07) === InsnClass.ST;
  if (!isSt) checkRegArg(env, insn.src, SRC_OP);
  checkRegArg(env, insn.dst, SRC_OP);
  const dstType = env.regs[insn.dst]!.type;
  const size = sizeBytes((insn.opcode & 0x18) as Size);
  checkMemAccess(env, insn.dst, insn.off, size, true, isSt ? -1 : insn.src, isSt ? { imm: insn.imm } : {});
  saveAuxPtrType(env, dstType);
}
