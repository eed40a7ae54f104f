import { assemble, insn } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { printInsn } from './print-insn.js';

/** The kernel's print_bpf_insn spelling, as verifier logs show it. */
const CASES: [string, string][] = [
  ['r0 = 0', '(b7) r0 = 0'],
  ['w1 = -1', '(b4) w1 = -1'],
  ['r1 = r2', '(bf) r1 = r2'],
  ['r1 += -8', '(07) r1 += -8'],
  ['w3 s>>= 2', '(c4) w3 s>>= 2'],
  ['r1 = -r1', '(87) r1 = -r1'],
  ['r1 s/= r2', '(3f) r1 s/= r2'],
  ['r1 s%= 3', '(97) r1 s%= 3'],
  ['r1 = (s8)r2', '(bf) r1 = (s8)r2'],
  ['w1 = (s16)w2', '(bc) w1 = (s16)w2'],
  ['r1 = be16 r1', '(dc) r1 = be16 r1'],
  ['r1 = le32 r1', '(d4) r1 = le32 r1'],
  ['r1 = bswap64 r1', '(d7) r1 = bswap64 r1'],
  ['r2 = *(u32 *)(r1 + 4)', '(61) r2 = *(u32 *)(r1 +4)'],
  ['r2 = *(s8 *)(r1 - 1)', '(91) r2 = *(s8 *)(r1 -1)'],
  ['*(u64 *)(r10 - 8) = r1', '(7b) *(u64 *)(r10 -8) = r1'],
  ['*(u16 *)(r10 - 2) = 7', '(6a) *(u16 *)(r10 -2) = 7'],
  ['lock *(u64 *)(r1 + 0) += r2', '(db) lock *(u64 *)(r1 +0) += r2'],
  ['r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)', '(db) r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)'],
  ['w2 = atomic_fetch_or((u32 *)(r1 + 8), w2)', '(c3) r2 = atomic_fetch_or((u32 *)(r1 +8), r2)'],
  ['r2 = xchg_64(r1 + 0, r2)', '(db) r2 = atomic64_xchg((u64 *)(r1 +0), r2)'],
  ['r0 = cmpxchg_64(r1 + 0, r0, r2)', '(db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)'],
  ['r0 = *(u8 *)skb[12]', '(30) r0 = *(u8 *)skb[12]'],
  ['r0 = *(u16 *)skb[r7 + 2]', '(48) r0 = *(u16 *)skb[r7 + 2]'],
  ['r1 = 0x100000002 ll', '(18) r1 = 0x100000002'],
  ['ld_pseudo r1, 1, 5', '(18) r1 = map[id:5]'],
  ['ld_pseudo r1, 2, 5, 16', '(18) r1 = map[id:5][0]+16'],
  ['call 1', '(85) call bpf_map_lookup_elem#1'],
  ['call 9999', '(85) call unknown#9999'],
  ['call pc+3', '(85) call pc+3'],
  ['callx r2', '(8d) callx r2'],
  ['goto +3', '(05) goto pc+3'],
  ['gotol -2', '(06) gotol pc-2'],
  ['may_goto +1', '(e5) may_goto pc+1'],
  ['exit', '(95) exit'],
  ['if r1 == 0 goto +2', '(15) if r1 == 0x0 goto pc+2'],
  ['if r1 s> -1 goto -3', '(65) if r1 s> 0xffffffff goto pc-3'],
  ['if w1 < w2 goto +1', '(ae) if w1 < w2 goto pc+1'],
  ['if r1 & 4 goto +1', '(45) if r1 & 0x4 goto pc+1'],
];

describe('kernel instruction printing', () => {
  it.each(CASES)('%s prints as `%s`', (source, expected) => {
    expect(printInsn(assemble(source)[0]!)).toBe(expected);
  });

  it('prints opcodes it cannot name as the kernel does', () => {
    expect(printInsn(insn(0xe3, 1, 2, 0, 0))).toBe('BUG_e3');
  });
});
