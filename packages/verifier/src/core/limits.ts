/** The kernel's verifier limits (include/linux/bpf.h, include/linux/bpf_verifier.h, kernel/bpf/verifier.c). */

/** Instructions processed over all paths (BPF_COMPLEXITY_LIMIT_INSNS); also the size limit with CAP_BPF. */
export const COMPLEXITY_LIMIT_INSNS = 1_000_000;
/** Program size without CAP_BPF (BPF_MAXINSNS). */
export const MAXINSNS = 4096;
/** Explored states kept per instruction without CAP_BPF (BPF_COMPLEXITY_LIMIT_STATES). */
export const COMPLEXITY_LIMIT_STATES = 64;
/** Pending branches (BPF_COMPLEXITY_LIMIT_JMP_SEQ). */
export const COMPLEXITY_LIMIT_JMP_SEQ = 8192;
/** Largest tracked variable offset (BPF_MAX_VAR_OFF). */
export const MAX_VAR_OFF = 1 << 29;
/** Largest size argument (BPF_MAX_VAR_SIZ). */
export const MAX_VAR_SIZ = 0x7fff_ffff;
/** Largest packet offset (MAX_PACKET_OFF). */
export const MAX_PACKET_OFF = 0xffff;
/** Frames of a bpf-to-bpf call chain (MAX_CALL_FRAMES). */
export const MAX_CALL_FRAMES = 8;
