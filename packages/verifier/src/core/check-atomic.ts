/**
 * Atomic instructions (the kernel's check_atomic): read-modify-write of 4 or 8 bytes on the stack
 * or a map value (fetch forms load the old value; cmpxchg compares with r0), and load-acquire /
 * store-release, always with strict alignment.
 */
import { AtomicOp, type Instruction, type Size, sizeBytes } from '@bpfhive/uapi';
import type { Env } from './env.js';
import { checkMemAccess } from './check-mem.js';
import { DST_OP, DST_OP_NO_MARK, SRC_OP, checkRegArg, isPointerValue } from './reg-access.js';
import { RegType, baseType, isPktPointerAny, isSockPointer, regTypeStr } from './reg-type.js';

function atomicPtrTypeOk(t: number): boolean {
  const b = baseType(t);
  return !(b === RegType.PTR_TO_CTX || isPktPointerAny(b) || b === RegType.PTR_TO_FLOW_KEYS || isSockPointer(b));
}

export function checkAtomic(env: Env, insn: Instruction): void {
  const size = sizeBytes((insn.opcode & 0x18) as Size);
  const op = insn.imm;
  const regs = env.regs;
  if (op === AtomicOp.LOAD_ACQ) {
    checkRegArg(env, insn.src, SRC_OP);
    checkRegArg(env, insn.dst, DST_OP_NO_MARK);
    if (!atomicPtrTypeOk(regs[insn.src]!.type)) {
      env.fail('EACCES', `BPF_ATOMIC loads from R${insn.src} ${regTypeStr(regs[insn.src]!.type)} is not allowed`);
    }
    checkMemAccess(env, insn.src, insn.off, size, false, insn.dst, { strictOnce: true });
    return;
  }
  if (op === AtomicOp.STORE_REL) {
    checkRegArg(env, insn.src, SRC_OP);
    checkRegArg(env, insn.dst, SRC_OP);
    if (!atomicPtrTypeOk(regs[insn.dst]!.type)) {
      env.fail('EACCES', `BPF_ATOMIC stores into R${insn.dst} ${regTypeStr(regs[insn.dst]!.type)} is not allowed`);
    }
    checkMemAccess(env, insn.dst, insn.off, size, true, insn.src, { strictOnce: true });
    return;
  }
  if (size !== 4 && size !== 8) env.fail('EINVAL', 'invalid atomic operand size');
  checkRegArg(env, insn.src, SRC_OP);
  checkRegArg(env, insn.dst, SRC_OP);
  if (op === AtomicOp.CMPXCHG) {
    checkRegArg(env, 0, SRC_OP);
    if (isPointerValue(env, regs[0]!)) env.fail('EACCES', 'R0 leaks addr into mem');
  }
  if (isPointerValue(env, regs[insn.src]!)) env.fail('EACCES', `R${insn.src} leaks addr into mem`);
  if (!atomicPtrTypeOk(regs[insn.dst]!.type)) {
    env.fail('EACCES', `BPF_ATOMIC stores into R${insn.dst} ${regTypeStr(regs[insn.dst]!.type)} is not allowed`);
  }
  let loadReg = -1;
  if (op & AtomicOp.FETCH) {
    loadReg = op === AtomicOp.CMPXCHG ? 0 : insn.src;
    checkRegArg(env, loadReg, DST_OP);
  }
  // Readable (as a number), then, for fetch forms, loaded like a fill, then writable.
  checkMemAccess(env, insn.dst, insn.off, size, false, -1, { strictOnce: true });
  if (loadReg >= 0) checkMemAccess(env, insn.dst, insn.off, size, false, loadReg, { strictOnce: true });
  checkMemAccess(env, insn.dst, insn.off, size, true, -1, { strictOnce: true });
}
