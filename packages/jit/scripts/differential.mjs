#!/usr/bin/env node
// Long differential run: random valid programs (src/differential/random-program.ts) on the
// reference interpreter and on the JIT; both must end with the same r0 and input memory.
// Uses the build: `npm run build` first.
//
//   node scripts/differential.mjs [--count N] [--seed S] [--minutes M] [--max-failures K] [--kernel]
//
// --kernel: kernel-mode programs (helpers of the kernel data block, map lookups), run by the
// interpreter with the JavaScript helpers and by the JIT inlining them (src/differential/kernel-fixture.ts).
// Seeds S, S+1, … (default: S from the clock, printed so a run can be repeated); stops after N
// programs, after M minutes, or after K mismatches (default 10), whichever comes first; with
// neither --count nor --minutes, runs 10000 programs. Each mismatch prints its reproducer (seed,
// input, program, both results). Exit status 1 when any program disagreed.
//
// The programs run in a worker thread, watched from here: a program that runs for more than
// HANG_SECONDS (every generated program ends, so the JIT looped) counts as a mismatch, printed
// with the interpreter's result, and the run goes on in a new worker from the next seed.
import { clearInterval, setInterval } from 'node:timers';
import { URL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const HANG_SECONDS = 30;
const USAGE = 'usage: node scripts/differential.mjs [--count N] [--seed S] [--minutes M] [--max-failures K] [--kernel]';

async function load() {
  try {
    return await import('../dist/differential/index.js');
  } catch (e) {
    console.error(`cannot load ../dist/differential/index.js (${e.message}): run \`npm run build\` first`);
    process.exit(2);
  }
}

/** The worker: runs seeds firstSeed + from, … until `until` (exclusive; null: forever), reporting each. */
async function work() {
  const { randomProgram, runDifferential, describeMismatch } = await load();
  const { firstSeed, from, until, kernel } = workerData;
  for (let index = from; until === null || index < until; index++) {
    const seed = (firstSeed + index) >>> 0;
    parentPort.postMessage({ kind: 'start', index, seed });
    const result = runDifferential(randomProgram(seed, { kernel }));
    parentPort.postMessage({
      kind: 'done',
      index,
      seed,
      agree: result.agree,
      reducible: result.reducible,
      instructions: result.program.insns.length,
      report: result.agree ? undefined : describeMismatch(result),
    });
  }
}

function parseOptions() {
  let values;
  try {
    values = parseArgs({
      options: {
        count: { type: 'string' },
        seed: { type: 'string' },
        minutes: { type: 'string' },
        'max-failures': { type: 'string' },
        kernel: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    console.error(`${e.message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name, fallback) => {
    const text = values[name];
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) {
      console.error(`--${name} wants a non-negative number, got '${text}'\n${USAGE}`);
      process.exit(2);
    }
    return value;
  };
  const minutes = number('minutes', undefined);
  return {
    minutes,
    count: number('count', minutes === undefined ? 10_000 : Infinity),
    firstSeed: number('seed', Date.now() % 0x1_0000_0000) >>> 0,
    maxFailures: number('max-failures', 10),
    kernel: values.kernel === true,
  };
}

async function main() {
  const { minutes, count, firstSeed, maxFailures, kernel } = parseOptions();
  const { randomProgram, describeMismatch, runInKernelFixture } = await load();
  const { runWithSuiteConvention } = await import('../dist/index.js');
  const started = Date.now();
  const deadline = minutes === undefined ? Infinity : started + minutes * 60_000;
  const limits = [count !== Infinity ? `${count} programs` : undefined, minutes !== undefined ? `${minutes} min` : undefined];
  console.log(`differential${kernel ? ' (kernel mode)' : ''}: seeds from ${firstSeed}, up to ${limits.filter(Boolean).join(' or ')}`);

  let programs = 0;
  let mismatches = 0;
  let irreducible = 0;
  let instructions = 0;
  let lastReport = started;
  let worker;
  let current; // { index, seed, since } of the program the worker is running
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));

  const done = () => programs >= count || Date.now() >= deadline || mismatches >= maxFailures;

  const stop = async () => {
    clearInterval(watchdog);
    const w = worker;
    worker = undefined;
    if (w) await w.terminate();
    finish();
  };

  const start = (from) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { firstSeed, from, until: count === Infinity ? null : count, kernel } });
    worker = w;
    w.on('message', (message) => {
      if (w !== worker) return;
      if (message.kind === 'start') {
        current = { index: message.index, seed: message.seed, since: Date.now() };
        return;
      }
      current = undefined;
      programs++;
      instructions += message.instructions;
      if (!message.reducible) irreducible++;
      if (!message.agree) {
        mismatches++;
        console.log(`\n${message.report}\n`);
      }
      const now = Date.now();
      if (now - lastReport >= 10_000) {
        lastReport = now;
        const rate = Math.round((programs * 1000) / (now - started));
        console.log(`  ${programs} programs (${rate}/s, last seed ${message.seed}), ${irreducible} irreducible, ${mismatches} mismatches`);
      }
      if (done()) void stop();
    });
    w.on('error', (e) => {
      if (w !== worker) return;
      console.error(`differential: the worker failed: ${e.stack ?? e}`);
      process.exit(2);
    });
    w.on('exit', () => {
      if (w === worker) void stop();
    });
  };

  // A program that does not end: report it (with the interpreter's view of it) and go on.
  const watchdog = setInterval(() => {
    if (worker === undefined) return;
    if (Date.now() >= deadline) return void stop();
    if (current === undefined || Date.now() - current.since < HANG_SECONDS * 1000) return;
    const { index, seed } = current;
    current = undefined;
    const w = worker;
    worker = undefined;
    void w.terminate();
    programs++;
    mismatches++;
    const program = randomProgram(seed, { kernel });
    let interp;
    try {
      const { r0, memory } = kernel ? runInKernelFixture(program, 'interp') : runWithSuiteConvention(program.insns, program.input, 'interp');
      interp = { ok: true, r0, memory };
    } catch (e) {
      interp = { ok: false, error: `${e.name}: ${e.message}` };
    }
    const jit = { ok: false, error: `did not finish in ${HANG_SECONDS} s` };
    console.log(`\n${describeMismatch({ program, interp, jit, agree: false, reducible: true })}\n`);
    if (done()) return void stop();
    start(index + 1);
  }, 1000);

  start(0);
  await finished;

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const last = (firstSeed + programs - 1) >>> 0;
  console.log(`  seeds ${firstSeed}..${last}, ${instructions} instructions, ${irreducible} irreducible, ${seconds} s`);
  console.log(`differential: ${programs} programs, ${mismatches} mismatches`);
  process.exit(mismatches > 0 ? 1 : 0);
}

if (isMainThread) await main();
else await work();
