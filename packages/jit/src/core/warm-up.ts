import { type Instruction, assemble } from '@bpfhive/uapi';
import { compile } from '../compiler/compile.js';

/**
 * Compiles a few synthetic programs so that V8 has optimised the compiler before the first real
 * request: a cold compile() of 4,096 instructions takes tens of milliseconds, a warm one a few.
 */
export function warmUpCompiler(rounds = 20): { programs: number; ms: number } {
  const started = performance.now();
  const program = syntheticProgram();
  for (let i = 0; i < rounds; i++) compile(program);
  return { programs: rounds, ms: performance.now() - started };
}

/** Branches, loads, stores and arithmetic of every width: about 1,000 instructions. */
function syntheticProgram(): Instruction[] {
  const lines = ['r0 = 0', 'r2 = r1'];
  for (let i = 0; i < 120; i++) {
    lines.push(
      `r3 = *(u32 *)(r2 + ${(i % 16) * 4})`,
      `w3 += ${i}`,
      `r0 ^= r3`,
      `if r3 > ${i * 7} goto +2`,
      `r0 += 1`,
      `*(u64 *)(r10 - ${8 + (i % 8) * 8}) = r0`,
      `r4 = r0`,
      `r4 s>>= 3`,
    );
  }
  lines.push('exit');
  return assemble(lines.join('\n'));
}
