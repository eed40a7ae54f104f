/**
 * Numbers the interpreter shares with Linux (include/linux/bpf.h, include/linux/filter.h).
 */

/** Bytes of stack each frame gets (MAX_BPF_STACK); r10 points one past its last byte. */
export const STACK_SIZE = 512;

/** Frames a bpf-to-bpf call chain may hold, the entry frame included (MAX_CALL_FRAMES). */
export const MAX_CALL_FRAMES = 8;

/** Tail calls one run may make before a further one fails and falls through (MAX_TAIL_CALL_CNT). */
export const MAX_TAIL_CALLS = 33;

/** Budget of `may_goto` in one frame before it starts jumping (BPF_MAX_LOOPS, 8 Mi). */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;

/** Helper id of `bpf_tail_call`, which the interpreter routes to the tail-call hook. */
export const BPF_FUNC_TAIL_CALL = 12;

/** Default step limit of one run: instructions executed, counted across all frames. */
export const DEFAULT_MAX_STEPS = 10_000_000;
