import type { AddressSpace } from './memory.js';

/**
 * What a helper, a kfunc or a hook sees of the running program.
 */
export interface CallEnv {
  /** The program's memory; its accesses are checked like the program's own. */
  readonly memory: AddressSpace;
  /** Index of the call instruction being served. */
  readonly insnIndex: number;
  /** Number of frames below the current one (0 in the entry function). */
  readonly frameDepth: number;
  /** Whatever the caller of `execute` passed as `data` (the kernel-sim's per-run state). */
  readonly data: unknown;
  /** Stops the whole program now; `r0` becomes its result. */
  exit(r0: bigint): never;
  /**
   * Calls a bpf function of the running program, as `bpf_loop` calls its callback: `address` is
   * a function address (what `lddw rX, func` loads), `args` go to r1..r5. It runs in a new frame
   * (counting toward the frame limit and the step limit) and returns its r0; the caller's
   * registers are left as they were.
   */
  callFunction(address: bigint, args: readonly bigint[]): bigint;
}
