/**
 * Memory handed to a helper (the kernel's check_helper_mem_access and check_mem_size_reg): a
 * pointer argument and the size argument after it must describe memory the program may read
 * (or, for output buffers, write): stack, map key or value, packet, or a sized memory region.
 */
import { markChainPrecision } from './precision.js';
import type { Env } from './env.js';
import { isNull } from './bounds.js';
import { MAX_VAR_SIZ } from './limits.js';
import { checkMapAccess, checkMapAccessType } from './map-access.js';
import { checkMemRegionAccess } from './mem-region.js';
import { checkPacketAccess } from './packet.js';
import type { RegState } from './reg.js';
import { RegFlag, RegType, baseType, regTypeStr } from './reg-type.js';
import { type RawModeAccess, checkStackRangeInitialized } from './stack-access.js';
import { tnumIsConst } from './tnum.js';
import { checkCtxAccessAt } from './ctx-access.js';

/** Per-call facts gathered while checking arguments (struct bpf_call_arg_meta). */
export interface CallMeta {
  /** The helper may be given packet pointers. */
  pktAccess: boolean;
  /** The next memory argument is written by the helper before being read (MEM_UNINIT). */
  rawMode: boolean;
  /** Stack bytes the helper will write, marked after the arguments are checked. */
  raw: RawModeAccess | null;
  /** The largest value of the last size argument. */
  msizeMax: bigint;
}

/** `size` bytes at register `regno` for a helper; `write` when the helper writes them. */
export function checkHelperMemAccess(env: Env, regno: number, size: number, write: boolean, zeroOk: boolean, meta: CallMeta | null): void {
  const reg = env.regs[regno]!;
  switch (baseType(reg.type)) {
    case RegType.PTR_TO_PACKET:
    case RegType.PTR_TO_PACKET_META:
      checkPacketAccess(env, reg, regno, reg.off, size, zeroOk);
      return;
    case RegType.PTR_TO_MAP_KEY:
      if (write) env.fail('EACCES', `R${regno} cannot write into ${regTypeStr(reg.type)}`);
      checkMemRegionAccess(env, reg, regno, reg.off, size, reg.map!.keySize, false);
      return;
    case RegType.PTR_TO_MAP_VALUE:
      checkMapAccessType(env, reg, 0, size, write);
      checkMapAccess(env, reg, regno, reg.off, size, zeroOk, false);
      return;
    case RegType.PTR_TO_MEM:
      if (reg.type & RegFlag.RDONLY && write) env.fail('EACCES', `R${regno} cannot write into ${regTypeStr(reg.type)}`);
      checkMemRegionAccess(env, reg, regno, reg.off, size, reg.memSize, zeroOk);
      return;
    case RegType.PTR_TO_STACK: {
      const raw = meta ? { rawMode: meta.rawMode, out: null as RawModeAccess | null } : null;
      checkStackRangeInitialized(env, reg, regno, reg.off, size, zeroOk, write, raw);
      if (meta && raw?.out) meta.raw = raw.out;
      return;
    }
    case RegType.PTR_TO_CTX:
      if (env.spec.ctx.anyAccess) {
        if (size === 0) {
          if (zeroOk) return;
          env.fail('EACCES', 'invalid zero-sized read');
        }
        checkCtxAccessAt(env, size - 1, 1, write, null);
        return;
      }
      break;
    default:
      break;
  }
  if (zeroOk && size === 0 && isNull(reg)) return;
  env.fail('EACCES', `R${regno} type=${regTypeStr(reg.type)} expected=fp`);
}

/** The size argument in `regno` for the memory argument in `regno - 1`. */
export function checkMemSizeReg(env: Env, reg: RegState, regno: number, write: boolean, zeroOk: boolean, meta: CallMeta): void {
  meta.msizeMax = reg.umax;
  // A size that is not a constant may not let the helper write uninitialized stack.
  const m = tnumIsConst(reg.varOff) ? meta : null;
  if (!m) meta.rawMode = false;
  if (reg.smin < 0n) env.fail('EACCES', `R${regno} min value is negative, either use unsigned or 'var &= const'`);
  if (reg.umin === 0n && !zeroOk) env.fail('EACCES', `R${regno} invalid zero-sized read: u64=[${reg.umin},${reg.umax}]`);
  if (reg.umax >= BigInt(MAX_VAR_SIZ)) env.fail('EACCES', `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
  checkHelperMemAccess(env, regno - 1, Number(reg.umax), write, zeroOk, m);
  markChainPrecision(env, regno);
}
