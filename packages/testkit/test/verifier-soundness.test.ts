/**
 * Verifier soundness, fuzzed (soundness/target.ts): random and mutated programs through the
 * verifier; every accepted XDP program runs on the checking interpreter over random packets
 * (no out-of-bounds access, no read of unwritten stack or unset registers, within budget) and
 * on the JIT, which must agree. A short fixed-seed run here; `node scripts/fuzz.mjs
 * verifier-soundness --seconds N` runs it long. Findings are kept as regression tests below and
 * in the verifier's own tests.
 */
import { assemble } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { formatFindings, fuzz, fuzzRun } from '../src/fuzz/index.js';
import { SoundnessViolation, checkedRun } from './soundness/checked-run.js';
import { realPrograms } from './soundness/corpus.js';
import { verifierSoundnessTarget } from './soundness/target.js';

const RUN = fuzzRun({ seed: 0x5017d, cases: 50, timeoutMs: 120_000 });

describe('fuzz verifier soundness - what the verifier accepts runs safely, and the JIT agrees', () => {
  it(
    'verifier soundness - random and mutated programs: no accepted program breaks a rule',
    async () => {
      const corpus = realPrograms();
      expect(corpus.length).toBeGreaterThan(10);
      const target = verifierSoundnessTarget(corpus);
      const report = await fuzz(target, RUN);
      console.log(`verifier soundness: ${report.cases} run, ${target.counts.accepted} accepted, ${report.findings.length} findings`, report.outcomes);
      expect(report.findings, formatFindings(report)).toEqual([]);
      if (!RUN.custom) expect(report.outcomes).toMatchObject({ rejected: expect.any(Number), 'accepted-run': expect.any(Number) });
    },
    RUN.timeoutMs,
  );
});

describe('fuzz verifier soundness - the checked run flags what the verifier must prevent', () => {
  const packet = new Uint8Array(20).fill(7);
  const run = (text: string, privileged = false) => () => checkedRun(assemble(text, { syntax: 'llvm' }), packet, { privileged, maxSteps: 10_000 });
  const prologue = 'r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\n';

  it('checked run - a safe program runs, and its packet writes come back', () => {
    const result = run(`${prologue}r4 = r2\nr4 += 2\nif r4 > r3 goto +2\n*(u8 *)(r2 + 1) = 9\nr0 = *(u8 *)(r2 + 0)\nexit`)();
    expect(result.r0).toBe(7n);
    expect(result.packet[1]).toBe(9);
  });

  it.each([
    ['a read past the packet', `${prologue}r0 = *(u32 *)(r2 + 18)\nexit`, 'out-of-bounds'],
    ['a write to the context', `${prologue}*(u32 *)(r1 + 12) = 1\nr0 = 0\nexit`, 'out-of-bounds'],
    ['a read of unwritten stack', `*(u32 *)(r10 - 8) = 1\nr0 = *(u64 *)(r10 - 8)\nexit`, 'uninit-stack'],
    ['a read of an unset register', 'r0 = r7\nexit', 'uninit-register'],
    ['a register read after a helper clobbered it', 'r2 = 1\ncall 7\nr0 = r2\nexit', 'uninit-register'],
    ['a loop past the budget', 'r0 = 0\nr0 += 1\nif r0 != 0 goto -2\nexit', 'budget'],
  ])('checked run - %s is a breach', (_, text, kind) => {
    expect(run(text)).toThrow(SoundnessViolation);
    expect(run(text)).toThrow(expect.objectContaining({ kind }));
  });

  it('checked run - a loader with CAP_PERFMON may read unwritten stack', () => {
    expect(run('*(u32 *)(r10 - 8) = 1\nr0 = *(u64 *)(r10 - 8)\nexit', true)().r0).toBe(1n);
  });
});
