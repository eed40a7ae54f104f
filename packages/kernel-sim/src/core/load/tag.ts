import { createHash } from 'node:crypto';
import { type Instruction, LD_IMM64, PseudoLdImm64, encode } from '@bpfhive/uapi';

/** BPF_TAG_SIZE. */
export const TAG_SIZE = 8;

/**
 * The program tag (bpf_prog_calc_tag, kernel/bpf/core.c): the first 8 bytes of the SHA-1 of the
 * instructions as submitted, with the immediates of map references (lddw with src_reg
 * BPF_PSEUDO_MAP_FD or BPF_PSEUDO_MAP_VALUE, both slots) zeroed, because map fds — here ids —
 * differ from one load to the next. The same program gets the same tag on any machine.
 */
export function programTag(insns: readonly Instruction[]): Uint8Array {
  const stable = insns.map((i) =>
    i.opcode === LD_IMM64 && (i.src === PseudoLdImm64.MAP_FD || i.src === PseudoLdImm64.MAP_VALUE) ? { ...i, imm: 0, imm2: 0 } : i,
  );
  return new Uint8Array(createHash('sha1').update(encode(stable)).digest().subarray(0, TAG_SIZE));
}

/** The tag as bpftool prints it: 16 lower-case hex digits. */
export const tagHex = (tag: Uint8Array): string => Buffer.from(tag).toString('hex');
