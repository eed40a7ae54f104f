/**
 * Explicit padding in C struct definitions (libbpf's btf_dump_emit_bit_padding): where BTF
 * leaves a hole that natural alignment does not explain, unnamed bitfields (`long: 64;`,
 * `int: 0;`) make the compiler lay the next member out where BTF says it is.
 */

/** Bits in a pointer (and `long`) on BPF targets. */
const PTR_BITS = 64;

const tabs = (lvl: number): string => '\t'.repeat(lvl);
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

const PADS = [
  { name: 'long', bits: PTR_BITS },
  { name: 'int', bits: 32 },
  { name: 'short', bits: 16 },
  { name: 'char', bits: 8 },
];

/**
 * The padding lines that take a struct from bit `cur` to bit `next`, where the next member
 * has alignment `nextAlign` bytes and `inBitfield` says both sides are bitfields. Each line
 * starts with a newline and `lvl` tabs; empty when there is no hole.
 */
export function bitPadding(cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): string {
  if (cur >= next) return '';
  let s = '';
  let pad = PADS[PADS.length - 1]!;
  let newOff = cur;
  for (const p of PADS) {
    pad = p;
    newOff = roundUp(cur, p.bits);
    if (newOff <= next) break;
  }
  if (newOff > cur && newOff <= next) {
    if (inBitfield || (newOff === next && roundUp(cur, nextAlign * 8) !== newOff) || (newOff !== next && next - newOff <= newOff - cur)) {
      s += `\n${tabs(lvl)}${pad.name}: ${inBitfield ? newOff - cur : 0};`;
    }
    cur = newOff;
  }
  while (cur !== next) {
    const bits = Math.min(next - cur, pad.bits);
    if (bits === pad.bits) {
      s += `\n${tabs(lvl)}${pad.name}: ${pad.bits};`;
      cur += bits;
      continue;
    }
    const fit = [...PADS].reverse().find((p) => p.bits >= bits)!;
    s += `\n${tabs(lvl)}${fit.name}: ${bits};`;
    cur += bits;
  }
  return s;
}
