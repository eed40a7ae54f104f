#!/usr/bin/env node
/**
 * Runs one fuzz target long. Each target is a fixed-seed vitest run beside its code (a few
 * seconds in CI); this runs the same test with a time budget and a seed of your choosing:
 *
 *   node scripts/fuzz.mjs <target> [--seconds N] [--seed S] [--cases N]
 *   node scripts/fuzz.mjs --list
 *
 *   --seconds N   how long to run (default 60)
 *   --seed S      the run's seed, decimal or 0x hex (default: a random one, printed)
 *   --cases N     stop after N cases (with --seconds: whichever comes first); a finding's
 *                 reproducer is `--seed <its seed> --cases 1` (or, for the stateful services
 *                 target, the run's seed and the cases up to the finding)
 *
 * Prints each run's counts (cases, outcomes, findings) and every finding with its input and
 * reproducer. Exits 0 without findings, 1 with findings, 2 when the run itself failed.
 * Needs the workspace built (`npm run build`): it reads the report format from testkit's dist,
 * and the services target starts the services' dist/main.js.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each target: the package and the test file that holds it. */
const TARGETS = {
  insn: ['uapi', 'src/insn/codec.fuzz.test.ts', 'the instruction decoder on random and mutated programs'],
  asm: ['uapi', 'src/asm/assemble.fuzz.test.ts', 'the assembler on mutated conformance assembly'],
  btf: ['uapi', 'src/btf/parse.fuzz.test.ts', 'the .BTF reader on mutated blobs'],
  'btf-ext': ['uapi', 'src/btf/ext.fuzz.test.ts', 'the .BTF.ext reader on mutated blobs'],
  wire: ['uapi', 'src/wire/validate.fuzz.test.ts', 'every wire schema on mutated requests'],
  object: ['loader', 'test/object.fuzz.test.ts', 'readObject on mutated ELF objects'],
  services: ['testkit', 'test/wire-fuzz.test.ts', 'the running services over NATS on mutated requests'],
  'verifier-soundness': ['testkit', 'test/verifier-soundness.test.ts', 'random and mutated programs through the verifier; what it accepts runs checked, and on the JIT'],
};

function usage(message) {
  if (message) console.error(`fuzz: ${message}`);
  console.error('usage: node scripts/fuzz.mjs <target> [--seconds N] [--seed S] [--cases N]   (--list for the targets)');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { seconds: '60', seed: String(randomInt(2 ** 32)), cases: '' };
  let target;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--list') {
      for (const [name, [pkg, file, what]] of Object.entries(TARGETS)) console.log(`${name.padEnd(18)} ${what} (packages/${pkg}/${file})`);
      process.exit(0);
    }
    const flag = /^--(seconds|seed|cases)$/.exec(arg);
    if (flag) {
      const value = argv[++i];
      if (value === undefined || !/^(0x[0-9a-f]+|[0-9]+(\.[0-9]+)?)$/i.test(value)) usage(`${arg} needs a number`);
      options[flag[1]] = value;
    } else if (!arg.startsWith('-') && target === undefined) target = arg;
    else usage(`unknown argument '${arg}'`);
  }
  if (target === undefined) usage('which target?');
  if (!(target in TARGETS)) usage(`unknown target '${target}' (${Object.keys(TARGETS).join(', ')})`);
  return { target, ...options };
}

/** Runs the target's test file with vitest, the budget in FUZZ_* variables; resolves to its exit code and output. */
function runVitest(pkg, file, env) {
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const child = spawn(process.execPath, [vitest, 'run', file, '--reporter=dot'], { cwd: join(ROOT, 'packages', pkg), env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, output })));
}

const { target, seconds, seed, cases } = parseArgs(process.argv.slice(2));
const testkit = join(ROOT, 'packages', 'testkit', 'dist', 'index.js');
if (!existsSync(testkit)) usage('packages/testkit is not built: run npm run build first');
const { formatFindings, formatFuzzReport } = await import(testkit);

const [pkg, file] = TARGETS[target];
const dir = mkdtempSync(join(tmpdir(), 'bpfhive-fuzz-'));
const reportFile = join(dir, 'reports.jsonl');
console.log(`fuzz ${target}: ${cases ? `${cases} cases or ` : ''}${seconds} s from seed ${seed} (packages/${pkg}/${file})`);
const { code, output } = await runVitest(pkg, file, { FUZZ_SECONDS: seconds, FUZZ_SEED: seed, FUZZ_CASES: cases, FUZZ_REPORT: reportFile });
const reports = existsSync(reportFile)
  ? readFileSync(reportFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
rmSync(dir, { recursive: true, force: true });

for (const report of reports) {
  console.log(formatFuzzReport(report));
  if (report.findings.length > 0) console.log(formatFindings(report));
}
const findings = reports.reduce((n, r) => n + r.findings.length, 0);
if (findings > 0) process.exit(1);
if (code !== 0 || reports.length === 0) {
  console.error(`fuzz ${target}: the run failed without a finding (vitest exit ${code}):\n${output.slice(-4000)}`);
  process.exit(2);
}
