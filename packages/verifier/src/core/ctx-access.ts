/**
 * Context accesses, decided by the program type's table in @bpfhive/uapi (checkCtxAccess, the
 * kernel's is_valid_access callbacks): which offsets may be read or written with which sizes, and
 * what a load gives (a scalar, or a packet or socket pointer).
 */
import { checkCtxAccess } from '@bpfhive/uapi';
import { btfCtxArg, btfCtxFault } from './btf-ctx.js';
import type { Env } from './env.js';
import { markPointer } from './bounds.js';
import { markRegUnknown } from './reg-access.js';
import type { RegState } from './reg.js';
import { RegFlag, RegType, regTypeStr } from './reg-type.js';
import { tnumIsConst, tnumString } from './tnum.js';

/** The context pointer must be unmodified when dereferenced (check_ptr_off_reg). */
export function checkPtrOffReg(env: Env, reg: RegState, regno: number, fixedOffOk = false): void {
  if (!fixedOffOk && reg.off) env.fail('EACCES', `dereference of modified ${regTypeStr(reg.type)} ptr R${regno} off=${reg.off} disallowed`);
  if (!tnumIsConst(reg.varOff) || reg.varOff.value) {
    env.fail('EACCES', `variable ${regTypeStr(reg.type)} access var_off=${tnumString(reg.varOff)} disallowed`);
  }
}

/** Checks a context access at `off` (fixed offset included) and types the loaded register. */
export function checkCtxAccessAt(env: Env, off: number, size: number, write: boolean, dst: RegState | null): void {
  const refuse = (line: string): never => {
    env.verboseLinfo(env.insnIdx, '; ');
    env.verbose(`${line}\n`);
    return env.fail('EACCES', `invalid bpf_context access off=${off} size=${size}`);
  };
  const func = env.opts.attachFunc;
  const beyond = btfCtxFault(func, env.opts.expectedAttachType, off, env.opts.kernel.btf);
  if (beyond) refuse(beyond);
  const access = checkCtxAccess(env.spec, off, size, write);
  if (!access.ok) {
    env.verboseLinfo(env.insnIdx, '; ');
    env.fail('EACCES', access.reason);
  }
  // A typed argument of a BTF-attached program (btf_ctx_access).
  const arg = func && !write ? btfCtxArg(func, env.opts.kernel, env.spec.progType, env.opts.expectedAttachType, off, size) : undefined;
  if (arg?.kind === 'fault') refuse(arg.log);
  if (arg?.kind === 'ptr') {
    env.verbose(`${arg.log}\n`);
    if (dst) {
      markPointer(dst, arg.regType);
      dst.btfId = arg.btfId;
      if (arg.regType & RegFlag.MAYBE_NULL) dst.id = env.nextId();
    }
    return;
  }
  if (arg?.kind === 'scalar' && arg.log) env.verbose(arg.log);
  if (write || !dst) return;
  switch (access.kind) {
    case 'pkt_data':
      markPointer(dst, RegType.PTR_TO_PACKET);
      break;
    case 'pkt_end':
      markPointer(dst, RegType.PTR_TO_PACKET_END);
      break;
    case 'pkt_meta':
      markPointer(dst, RegType.PTR_TO_PACKET_META);
      break;
    case 'flow_keys':
      markPointer(dst, RegType.PTR_TO_FLOW_KEYS);
      break;
    case 'sock':
      markPointer(dst, (env.spec.ctx.struct === '__sk_buff' ? RegType.PTR_TO_SOCK_COMMON : RegType.PTR_TO_SOCKET) | RegFlag.MAYBE_NULL);
      dst.id = env.nextId();
      break;
    default:
      markRegUnknown(env, dst);
  }
}
