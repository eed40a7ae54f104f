/**
 * Deterministic inputs of the benchmarks: a seeded generator, and the synthetic program whose
 * compile time run.mjs and jit-compile.mjs report.
 */
import { assemble } from '@bpfhive/uapi';

/** splitmix64: a generator of u64 BigInts from a seed, the same sequence on every machine. */
export function prng(seed) {
  let s = BigInt(seed);
  return () => {
    // splitmix64
    s = BigInt.asUintN(64, s + 0x9e3779b97f4a7c15n);
    let z = s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
}

/**
 * A straight-line-ish program of exactly n instructions: mixed 64/32-bit ALU, stack stores and
 * loads, and short forward branches (so it has many blocks to structure), ending in exit.
 * It is also run once on both engines, which must agree.
 */
export function syntheticProgram(n) {
  const rnd = prng(4096);
  const r = (k) => Number(rnd() % BigInt(k));
  const lines = ['r0 = 0', 'r2 = 1', 'r3 = 2', 'r4 = 3', 'r5 = 4', 'r6 = 5', 'r7 = 6', 'r8 = 7', 'r9 = 8'];
  for (let s = 1; s <= 8; s++) lines.push(`*(u64 *)(r10 - ${s * 8}) = r${s + 1 > 9 ? 9 : s + 1}`);
  const ops64 = ['+=', '-=', '*=', '^=', '|=', '&='];
  const reg = () => `r${[0, 2, 3, 4, 5, 6, 7, 8, 9][r(9)]}`;
  while (lines.length < n - 1) {
    const left = n - 1 - lines.length;
    const k = r(20);
    if (k < 7) lines.push(`${reg()} ${ops64[r(ops64.length)]} ${reg()}`);
    else if (k < 10) lines.push(`${reg()} ${ops64[r(ops64.length)]} ${r(1000) + 1}`);
    else if (k < 12) lines.push(`w${reg().slice(1)} ${['+=', '*=', '^=', '-='][r(4)]} w${reg().slice(1)}`);
    else if (k < 13) lines.push(`${reg()} ${['<<=', '>>=', 's>>='][r(3)]} ${r(63) + 1}`);
    else if (k < 15) lines.push(`*(u64 *)(r10 - ${(r(8) + 1) * 8}) = ${reg()}`);
    else if (k < 17) lines.push(`${reg()} = *(u64 *)(r10 - ${(r(8) + 1) * 8})`);
    else if (left > 4) lines.push(`if ${reg()} ${['>', '<', '==', '!=', 's>'][r(5)]} ${reg()} goto +${r(3) + 1}`);
    else lines.push(`${reg()} += 1`);
  }
  lines.push('exit');
  const insns = assemble(lines.join('\n'));
  if (insns.length !== n) throw new Error(`synthetic program has ${insns.length} instructions, wanted ${n}`);
  return insns;
}
