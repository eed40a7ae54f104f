import { CALL, CALLX, EXIT, JA32, classOf, decode, fromBase64, isJmpClass } from '@bpfhive/uapi';

/** BPF_MAXINSNS: the most an unprivileged loader may load, and the light lane's bound. */
export const LIGHT_PROGRAM_SLOTS = 4096;

/**
 * Whether a program is light, i.e. goes to the pool's light lane (worker-pool.ts): at most
 * LIGHT_PROGRAM_SLOTS slots and no backward jump.
 *
 * What a verification costs is the number of instructions it processes (at most the verifier's
 * 1,000,000 budget), which nobody knows before running it; this is a cheap, sound-enough proxy.
 * Length alone would not do: a 40-instruction bounded loop makes the verifier walk a million
 * instructions, and only a backward jump (a loop, `may_goto` included) lets it revisit code.
 * A loop-free program can still be costly through many branches, but only as far as pruning
 * lets it, and then it holds the light lane for at most one budget. Unprivileged programs (no
 * CAP_BPF: at most 4096 instructions and no loops) are always light.
 *
 * Bytes that do not decode count as light: the verifier rejects them at once.
 */
export function isLightProgram(insns: string): boolean {
  // base64: 4 characters per 3 bytes, so more characters than this is more than the bound.
  if (insns.length > Math.ceil((LIGHT_PROGRAM_SLOTS * 8) / 3) * 4 + 4) return false;
  let program;
  try {
    program = decode(fromBase64(insns, 'insns'));
  } catch {
    return true;
  }
  let slots = 0;
  for (const insn of program) {
    slots += insn.imm2 === undefined ? 1 : 2;
    if (isBackwardJump(insn.opcode, insn.off, insn.imm)) return false;
  }
  return slots <= LIGHT_PROGRAM_SLOTS;
}

/** A jump whose target is itself or earlier: `gotol` (JMP32|JA) jumps by imm, the others by off. */
function isBackwardJump(opcode: number, off: number, imm: number): boolean {
  if (!isJmpClass(classOf(opcode)) || opcode === CALL || opcode === CALLX || opcode === EXIT) return false;
  return (opcode === JA32 ? imm : off) < 0;
}
