/**
 * A program that is short but costly to verify, for the benches and the fairness test: a bounded
 * loop whose body reads a map value at an offset computed from the (precise) loop counter, folds
 * bits into accumulators (imprecise: they never decide anything), spills and fills, and checks the
 * data twice with a failing side that returns at once, as error checks in real programs do. No
 * two turns prune into each other, so the verifier walks every one: about 29 instructions a
 * turn; the default 34,400 turns come to just under its 1,000,000-instruction budget.
 */

/** The one map the program uses, by id 1: an array of one 256-byte value (wire form). */
export const HEAVY_MAP = { map_id: 1, map_type: 'array', key_size: 4, value_size: 256, max_entries: 1, map_flags: 0 };

/** Turns that make the verifier process about 1,000,000 instructions. */
export const MILLION_INSN_ITERATIONS = 34_400;

/** The program's assembly text with `iterations` turns of the loop. */
export function heavyProgramSource(iterations = MILLION_INSN_ITERATIONS) {
  return `
  *(u32 *)(r10 - 4) = 0
  r2 = r10
  r2 += -4
  ld_pseudo r1, 1, ${HEAVY_MAP.map_id}
  call 1
  if r0 == 0 goto out
  r7 = r0
  r6 = 0
  r8 = 0
  r9 = 0
loop:
  r3 = r8
  r3 &= 31
  r3 <<= 3
  r4 = r7
  r4 += r3
  r5 = *(u64 *)(r4 + 0)
  if r5 != 0xdead goto c1
  r0 = 1
  exit
c1:
  r1 = r5
  r1 &= 0xff
  r9 += r1
  r1 = r5
  r1 >>= 8
  r1 &= 0xff
  r9 ^= r1
  r1 = r5
  r1 >>= 16
  if r1 != 7 goto c2
  r0 = 3
  exit
c2:
  r6 += r1
  r6 &= 0xffffff
  *(u64 *)(r10 - 16) = r9
  r2 = *(u64 *)(r10 - 16)
  r2 |= r6
  *(u64 *)(r10 - 24) = r2
  r8 += 1
  if r8 < ${iterations} goto loop
out:
  r0 = 2
  exit
`;
}
