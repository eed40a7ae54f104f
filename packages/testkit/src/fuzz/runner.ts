/**
 * The fuzz loop: derives a seed per case from the run's seed, builds an input from it, runs the
 * target, and counts outcomes; anything the target throws is a finding, kept with the case's
 * seed so that one run of that seed replays it. Runs a fixed number of cases (CI) or until a
 * deadline (long runs), and stops early after `maxFindings`.
 */
import { Prng, formatSeed, nextSeed } from './prng.js';

/** What to fuzz: how to make an input from a PRNG, and how to run one. */
export interface FuzzTarget<I> {
  /** The target's name in reports and in `scripts/fuzz.mjs <name>`. */
  readonly name: string;
  /** Builds one input using only `rand`, so that a case's seed rebuilds it. */
  generate(rand: Prng): I;
  /**
   * Runs one input and names its outcome ("decoded", "rejected", …). Throwing (or rejecting)
   * reports a finding: an exception the code under test must not throw, or a broken property.
   */
  run(input: I): string | Promise<string>;
  /** A short printable form of an input for finding reports (default: JSON, cut to 400 characters). */
  show?(input: I): string;
  /**
   * True when a case depends on the cases before it (a running service keeps state): its
   * finding then replays as the whole run up to it, not as its own seed alone.
   */
  readonly stateful?: boolean;
  /** Checks after the last case (a service still alive, nothing left half-made); each problem is a finding. */
  finish?(): readonly string[] | Promise<readonly string[]>;
}

/** How long to fuzz. Give `cases`, `seconds`, or both (whichever ends first). */
export interface FuzzBudget {
  readonly seed: number;
  readonly cases?: number;
  readonly seconds?: number;
  /** Stop after this many findings (default 10). */
  readonly maxFindings?: number;
}

export interface FuzzFinding {
  /** 0-based case number in the run. */
  readonly index: number;
  /** The case's own seed: a run starting from it replays the case first. */
  readonly caseSeed: number;
  readonly message: string;
  readonly input: string;
}

export interface FuzzReport {
  readonly target: string;
  readonly seed: number;
  readonly stateful: boolean;
  readonly cases: number;
  readonly ms: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly findings: readonly FuzzFinding[];
}

/** Runs `target` within `budget` and returns what happened; never throws for a finding. */
export async function runFuzz<I>(target: FuzzTarget<I>, budget: FuzzBudget): Promise<FuzzReport> {
  if (budget.cases === undefined && budget.seconds === undefined) throw new RangeError('runFuzz: give cases, seconds or both');
  const started = performance.now();
  const deadline = budget.seconds === undefined ? Infinity : started + budget.seconds * 1000;
  const maxCases = budget.cases ?? Infinity;
  const maxFindings = budget.maxFindings ?? 10;
  const outcomes: Record<string, number> = {};
  const findings: FuzzFinding[] = [];
  let caseSeed = budget.seed >>> 0;
  let index = 0;
  for (; index < maxCases && findings.length < maxFindings && performance.now() < deadline; index++, caseSeed = nextSeed(caseSeed)) {
    let input: I | undefined;
    try {
      input = target.generate(new Prng(caseSeed));
      const outcome = await target.run(input);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    } catch (e) {
      outcomes.finding = (outcomes.finding ?? 0) + 1;
      findings.push({ index, caseSeed, message: describeError(e), input: input === undefined ? '(not built)' : showInput(target, input) });
    }
  }
  try {
    for (const problem of (await target.finish?.()) ?? []) findings.push({ index, caseSeed, message: problem, input: '(after the run)' });
  } catch (e) {
    findings.push({ index, caseSeed, message: `the checks after the run failed: ${describeError(e)}`, input: '(after the run)' });
  }
  return { target: target.name, seed: budget.seed >>> 0, stateful: target.stateful ?? false, cases: index, ms: performance.now() - started, outcomes, findings };
}

function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `threw ${String(e)}`;
  const where = e.stack?.split('\n').slice(1, 4).map((l) => l.trim()).join(' < ');
  return `${e.name}: ${e.message}${where ? ` (${where})` : ''}`;
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function showInput<I>(target: FuzzTarget<I>, input: I): string {
  const text = target.show ? target.show(input) : JSON.stringify(input, (_, v: unknown) => (v instanceof Uint8Array ? hex(v) : v));
  return text.length > 400 ? `${text.slice(0, 400)}… (${text.length} characters)` : text;
}

/** The one-line summary: `fuzz insn: 3000 cases in 0.4 s (seed 0x…): decoded 812, rejected 2188; 0 findings`. */
export function formatFuzzReport(report: FuzzReport): string {
  const outcomes = Object.entries(report.outcomes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  const s = report.findings.length === 1 ? '' : 's';
  return `fuzz ${report.target}: ${report.cases} cases in ${(report.ms / 1000).toFixed(1)} s (seed ${formatSeed(report.seed)}): ${outcomes || 'none'}; ${report.findings.length} finding${s}`;
}

/** How to replay a finding with scripts/fuzz.mjs. */
export function reproducer(report: FuzzReport, finding: FuzzFinding): string {
  return report.stateful
    ? `node scripts/fuzz.mjs ${report.target} --seed ${formatSeed(report.seed)} --cases ${finding.index + 1}`
    : `node scripts/fuzz.mjs ${report.target} --seed ${formatSeed(finding.caseSeed)} --cases 1`;
}

/** Every finding with its reproducer and input, for an assertion message or a log; '' when none. */
export function formatFindings(report: FuzzReport): string {
  return report.findings
    .map((f) => `case ${f.index} (seed ${formatSeed(f.caseSeed)}): ${f.message}\n  input: ${f.input}\n  replay: ${reproducer(report, f)}`)
    .join('\n');
}
