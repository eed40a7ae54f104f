import { CALLX, EXIT, type Instruction, LD_IMM64, PseudoLdImm64, insn } from '@bpfhive/uapi';

/**
 * Makes sure a program that takes the address of one of its functions (`lddw rX, func`, src 4,
 * for bpf_loop, bpf_for_each_map_elem and other callback helpers) is compiled with the JIT's
 * `callx` dispatcher, which is how a helper calls a callback (CallEnv.callFunction). The JIT
 * emits the dispatcher only for programs that contain a `callx`; until it also does for function
 * addresses, an unreachable `callx r0; exit` is appended after the last instruction: no jump
 * reaches it and no offset changes, so the program's behaviour is the same.
 */
export function withCallbackDispatcher(insns: readonly Instruction[]): readonly Instruction[] {
  const takesFunctionAddress = insns.some((i) => i.opcode === LD_IMM64 && i.src === PseudoLdImm64.FUNC);
  const hasCallx = insns.some((i) => i.opcode === CALLX);
  if (!takesFunctionAddress || hasCallx) return insns;
  return [...insns, insn(CALLX, 0, 0, 0, 0), insn(EXIT, 0, 0, 0, 0)];
}
