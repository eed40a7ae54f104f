/**
 * The hash table's probe for keys of one u32 word (1 to 4 bytes), in JavaScript: the reference
 * form of the wasm probe HashMap's lookups run (hash-probe-wasm.ts, checked against this in its
 * test) and the reader the race tests drive step by step (hash-race*.test.ts). The slots are
 * HashMap's: two u32 words each, link (0 empty, 1 tombstone, else the element's address,
 * 8-aligned) then the key word.
 *
 * Each slot's link is read before its key word, the order the writer publishes in (key word, then
 * the link with Atomics.store), so a key word read is never older than the link it is paired with;
 * nor newer: the engine writes other key words into a slot only a grace period after its link
 * was removed (hash.ts, tombstones), and no lookup runs across a grace period.
 *
 * A lookup in a large table costs mostly its slot's cache (and TLB) miss; what runs around it is
 * kept to few machine instructions so the CPU overlaps the misses of consecutive lookups. Indices
 * are int32 arithmetic (`| 0`: V8 drops its overflow checks). Reading a window of slots without a
 * branch per slot was tried and was slower (more loads, a second cache line a third of the time).
 */

/**
 * The element address (link) of the live slot holding `word`, or 0. `u32` is the memory as words,
 * `slotsW` slot 0's word index, `mask` the slot count - 1 (a power of two), `home` the key's hash &
 * mask. The probe ends at an empty slot (the table always has some).
 */
export function probeWord(u32: Uint32Array, slotsW: number, mask: number, home: number, word: number): number {
  for (let i = home; ; i = (i + 1) & mask) {
    const s = (slotsW + 2 * i) | 0;
    const link = u32[s]!;
    if (link > 1 && u32[(s + 1) | 0] === word) return link;
    if (link === 0) return 0;
  }
}
