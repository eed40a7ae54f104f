/**
 * How a fuzz test learns whether it runs briefly (CI: its own fixed seed and case count) or
 * long (scripts/fuzz.mjs), from environment variables read here only:
 *   FUZZ_SEED     the run's seed, decimal or 0x hex (default: the test's fixed seed)
 *   FUZZ_SECONDS  run this long instead of the fixed case count
 *   FUZZ_CASES    run this many cases (with FUZZ_SECONDS, whichever ends first)
 *   FUZZ_REPORT   a file every report is appended to as one JSON line, for the script
 */
import { appendFileSync } from 'node:fs';
import { parseSeed } from './prng.js';
import { type FuzzBudget, type FuzzReport, type FuzzTarget, formatFindings, formatFuzzReport, runFuzz } from './runner.js';

/** A budget plus what the test around it needs. */
export interface FuzzRun extends FuzzBudget {
  /** A test timeout that leaves the run room to finish (a hang still ends the test). */
  readonly timeoutMs: number;
  /** True when the environment asked for a run other than the fixed one. */
  readonly custom: boolean;
}

/** The fixed run of a test: its seed, its case count, and how long that may take at most. */
export interface FixedRun {
  readonly seed: number;
  readonly cases: number;
  /** The test timeout of the fixed run (default 30 s). */
  readonly timeoutMs?: number;
}

function positive(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`${name} must be a positive number, got '${text}'`);
  return n;
}

/** The run the environment asks for, else `fixed`. Throws RangeError on a malformed variable. */
export function fuzzRun(fixed: FixedRun, env: NodeJS.ProcessEnv = process.env): FuzzRun {
  const seedText = env.FUZZ_SEED;
  const seed = seedText ? parseSeed(seedText) : fixed.seed;
  if (seed === undefined) throw new RangeError(`FUZZ_SEED must be a decimal or 0x hex number, got '${seedText}'`);
  const seconds = positive(env, 'FUZZ_SECONDS');
  const cases = positive(env, 'FUZZ_CASES') ?? (seconds === undefined ? fixed.cases : undefined);
  const custom = Boolean(seedText) || seconds !== undefined || cases !== fixed.cases;
  const timeoutMs = seconds !== undefined ? seconds * 1000 + 120_000 : custom ? 86_400_000 : (fixed.timeoutMs ?? 30_000);
  return { seed, timeoutMs, custom, ...(cases !== undefined && { cases: Math.floor(cases) }), ...(seconds !== undefined && { seconds }) };
}

/** Prints the report's summary line (and its findings) and appends it to FUZZ_REPORT when set. */
export function recordFuzzReport(report: FuzzReport, env: NodeJS.ProcessEnv = process.env): void {
  console.log(formatFuzzReport(report));
  if (report.findings.length > 0) console.log(formatFindings(report));
  if (env.FUZZ_REPORT) appendFileSync(env.FUZZ_REPORT, `${JSON.stringify(report)}\n`);
}

/** runFuzz, then recordFuzzReport: what a fuzz test calls. */
export async function fuzz<I>(target: FuzzTarget<I>, run: FuzzBudget): Promise<FuzzReport> {
  const report = await runFuzz(target, run);
  recordFuzzReport(report);
  return report;
}
