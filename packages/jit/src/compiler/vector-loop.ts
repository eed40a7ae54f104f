/** What vectorize.ts found in a reduction loop, for the vector block in front of it (vector-codegen.ts). */

/** A word loaded every trip: at `u32(base + offset) + off` in trip 0, moving by `size` bytes. */
export interface VectorStream {
  /** The induction register the load goes through. */
  readonly base: number;
  /** What the trip adds to `base` before the load. */
  readonly offset: bigint;
  /** The load's own (signed 16-bit) offset. */
  readonly off: number;
  readonly size: 4 | 8;
  /** A sign-extending load (ldxsw). */
  readonly signed: boolean;
}

export type ReductionOp = 'add' | 'xor' | 'or' | 'and';

export interface VectorReduction {
  readonly reg: number;
  readonly op: ReductionOp;
  /** 32-bit operations: the result is zero-extended from the low 32 bits. */
  readonly narrow: boolean;
  /** Stream indexes of the words combined into it in each trip (a stream may repeat). */
  readonly terms: readonly number[];
}

/** What block X needs to run a loop's first trips vectorized (vector-codegen.ts). */
export interface VectorLoop {
  /** Registers changed only by constants, and what one trip adds to each. */
  readonly inductions: readonly { readonly reg: number; readonly step: bigint }[];
  readonly streams: readonly VectorStream[];
  readonly reductions: readonly VectorReduction[];
  /**
   * The exit test as the condition to stay in the loop, `counter stay bound` after a trip,
   * with the counter an induction moving by `step` per trip (never 0).
   */
  readonly test: {
    readonly counter: number;
    readonly step: bigint;
    readonly stay: 'lt_u' | 'le_u' | 'lt_s' | 'le_s' | 'gt_u' | 'ge_u' | 'gt_s' | 'ge_s' | 'ne';
    readonly bound: { readonly reg: number } | { readonly imm: bigint };
  };
}
