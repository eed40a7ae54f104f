import { describe, expect, it } from 'vitest';
import { fuzzRun } from './env.js';
import { Prng } from './prng.js';
import { type FuzzTarget, formatFindings, formatFuzzReport, reproducer, runFuzz } from './runner.js';

/** Fails on multiples of 7. */
const sevens: FuzzTarget<number> = {
  name: 'sevens',
  generate: (rand) => rand.below(100),
  run: (n) => {
    if (n % 7 === 0) throw new RangeError(`${n} is a multiple of 7`);
    return n % 2 === 0 ? 'even' : 'odd';
  },
};

describe('fuzz runner', () => {
  it('counts outcomes and keeps findings with their case seeds', async () => {
    const report = await runFuzz(sevens, { seed: 1, cases: 500, maxFindings: 1000 });
    expect(report.cases).toBe(500);
    expect((report.outcomes.even ?? 0) + (report.outcomes.odd ?? 0) + report.findings.length).toBe(500);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings[0]!.message).toMatch(/^RangeError: \d+ is a multiple of 7/);
    expect(formatFuzzReport(report)).toMatch(/^fuzz sevens: 500 cases in [\d.]+ s \(seed 0x00000001\): even \d+, finding \d+, odd \d+; \d+ findings$/);
  });

  it('a finding replays from its case seed alone', async () => {
    const report = await runFuzz(sevens, { seed: 9, cases: 200 });
    const finding = report.findings[0]!;
    expect(reproducer(report, finding)).toContain('--cases 1');
    const again = await runFuzz(sevens, { seed: finding.caseSeed, cases: 1 });
    expect(again.findings[0]!.input).toBe(finding.input);
    expect(again.findings[0]!.message.split(' (')[0]).toBe(finding.message.split(' (')[0]);
    expect(new Prng(finding.caseSeed).below(100) % 7).toBe(0);
  });

  it('stops after maxFindings, and a stateful target replays as the run up to the finding', async () => {
    const report = await runFuzz({ ...sevens, stateful: true }, { seed: 3, cases: 10_000, maxFindings: 2 });
    expect(report.findings).toHaveLength(2);
    expect(reproducer(report, report.findings[1]!)).toBe(`node scripts/fuzz.mjs sevens --seed 0x00000003 --cases ${report.findings[1]!.index + 1}`);
    expect(formatFindings(report)).toContain('replay: node scripts/fuzz.mjs sevens');
  });

  it('reports the problems finish() finds after the run', async () => {
    const report = await runFuzz({ ...sevens, run: () => 'ok', finish: () => ['service gone'] }, { seed: 1, cases: 3 });
    expect(report.findings.map((f) => f.message)).toEqual(['service gone']);
  });

  it('takes the budget from FUZZ_* variables, else the fixed run', () => {
    expect(fuzzRun({ seed: 5, cases: 10 }, {})).toEqual({ seed: 5, cases: 10, timeoutMs: 30_000, custom: false });
    expect(fuzzRun({ seed: 5, cases: 10 }, { FUZZ_SEED: '0x10', FUZZ_SECONDS: '2' })).toEqual({ seed: 16, seconds: 2, timeoutMs: 122_000, custom: true });
    expect(fuzzRun({ seed: 5, cases: 10 }, { FUZZ_CASES: '3' })).toMatchObject({ seed: 5, cases: 3, custom: true });
    expect(() => fuzzRun({ seed: 5, cases: 10 }, { FUZZ_SECONDS: '-1' })).toThrow(RangeError);
    expect(() => fuzzRun({ seed: 5, cases: 10 }, { FUZZ_SEED: 'abc' })).toThrow(RangeError);
  });
});
