/**
 * A batch's verdicts summed where the batch ran (on its CPU's thread, or on main), so that main
 * reads O(exceptions) words instead of every r0: runs whose r0's low 32 bits equal `common` (an
 * XDP hook's XDP_DROP) are only counted, bucketed by a u32 field of their context (the receive
 * queue), and the indexes of the others are listed in order, for main to apply one by one.
 * Imported by the worker script too: no imports.
 *
 * Layout in the kernel's memory (u32 words, all addresses 4-aligned):
 *   at[0]                      how many runs are listed
 *   at[1 + b], b < buckets     common runs whose field was b
 *   at[1 + buckets]            common runs whose field was buckets or more
 *   list[0 .. listed)          indexes (in the batch) of the other runs, ascending
 */
export interface BatchSummary {
  /** The r0 (low 32 bits) that is only counted. */
  readonly common: number;
  /** Address of the counts (SUMMARY_WORDS(buckets) u32s). */
  readonly at: number;
  /** Address of the list (a u32 per run of the batch at most). */
  readonly list: number;
  /** Byte offset, in a context, of the u32 the common runs are bucketed by. */
  readonly field: number;
  /** Buckets before the overflow bucket. */
  readonly buckets: number;
}

/** u32 words of a summary's counts for `buckets` buckets. */
export const summaryWords = (buckets: number): number => buckets + 2;

/**
 * Sums the r0s of a batch that ended (contexts at base + i * stride, r0s as u64 at out + i * 8)
 * into `summary`, over `u32` (a view of the kernel's memory as it is now).
 */
export function summarizeBatch(u32: Uint32Array, base: number, stride: number, count: number, out: number, summary: BatchSummary): void {
  const { common, buckets } = summary;
  const at = summary.at >> 2;
  const list = summary.list >> 2;
  for (let b = 1; b <= buckets + 1; b++) u32[at + b] = 0;
  let listed = 0;
  let r = out >> 2;
  let field = (base + summary.field) >> 2;
  const step = stride >> 2;
  for (let i = 0; i < count; i++, r += 2, field += step) {
    if (u32[r] === common) {
      const b = u32[field]!;
      const k = at + 1 + (b < buckets ? b : buckets);
      u32[k] = u32[k]! + 1;
    } else {
      u32[list + listed++] = i;
    }
  }
  u32[at] = listed;
}
