/**
 * The LD class: 64-bit immediate loads (constants, maps, map values, functions) and the legacy
 * packet loads LD_ABS/LD_IND (the kernel's check_ld_imm and check_ld_abs).
 */
import { type Instruction, Mode, PseudoLdImm64, imm64Of } from '@bpfhive/uapi';
import { markKnown, markPointer } from './bounds.js';
import { checkPtrOffReg } from './ctx-access.js';
import type { Env } from './env.js';
import { subprogAt } from './calls.js';
import { DST_OP, DST_OP_NO_MARK, SRC_OP, checkRegArg, markRegNotInit, markRegUnknown } from './reg-access.js';
import { RegType } from './reg-type.js';
import { checkResourceLeak } from './refs.js';
import { loadKsym } from './ksym.js';

/** `lddw`: the map and function forms were validated before exploring (resolvePseudoLdImm64). */
export function checkLdImm(env: Env, insn: Instruction, idx: number): void {
  checkRegArg(env, insn.dst, DST_OP);
  const dst = env.regs[insn.dst]!;
  switch (insn.src) {
    case PseudoLdImm64.IMM64:
      markKnown(dst, imm64Of(insn));
      return;
    case PseudoLdImm64.FUNC:
      markPointer(dst, RegType.PTR_TO_FUNC);
      dst.subprogno = subprogAt(env, idx + insn.imm + 1);
      return;
    case PseudoLdImm64.MAP_FD:
      markPointer(dst, RegType.CONST_PTR_TO_MAP);
      dst.map = env.maps.get(insn.imm)!;
      return;
    case PseudoLdImm64.MAP_VALUE:
      markPointer(dst, RegType.PTR_TO_MAP_VALUE);
      dst.map = env.maps.get(insn.imm)!;
      dst.off = insn.imm2 ?? 0;
      return;
    case PseudoLdImm64.BTF_ID:
      loadKsym(env, dst, insn.imm);
      return;
    default:
      env.fail('EINVAL', 'bpf verifier is misconfigured');
  }
}

/** Program types whose context is an skb LD_ABS/LD_IND can read (may_access_skb). */
const SKB_TYPES = new Set([1, 3, 4]);

/** LD_ABS / LD_IND: r6 must hold the context; r0 gets the loaded bytes, r1-r5 are clobbered. */
export function checkLdAbs(env: Env, insn: Instruction): void {
  if (!SKB_TYPES.has(env.spec.progType)) env.fail('EINVAL', 'BPF_LD_[ABS|IND] instructions not allowed for this program type');
  checkRegArg(env, 6, SRC_OP);
  checkResourceLeak(env, true, 'BPF_LD_[ABS|IND]');
  const r6 = env.regs[6]!;
  if (r6.type !== RegType.PTR_TO_CTX) env.fail('EINVAL', 'at the time of BPF_LD_ABS|IND R6 != pointer to skb');
  if ((insn.opcode & 0xe0) === Mode.IND) checkRegArg(env, insn.src, SRC_OP);
  checkPtrOffReg(env, r6, 6);
  for (let r = 0; r <= 5; r++) {
    markRegNotInit(env.regs[r]!);
    checkRegArg(env, r, DST_OP_NO_MARK);
  }
  markRegUnknown(env, env.regs[0]!);
}
