#!/usr/bin/env node
// Long differential run: random valid programs (src/differential/random-program.ts) on the
// reference interpreter and on the JIT; both must end with the same r0 and input memory.
// Uses the build: `npm run build` first.
//
//   node scripts/differential.mjs [--count N] [--seed S] [--minutes M] [--max-failures K]
//
// Seeds S, S+1, … (default: S from the clock, printed so a run can be repeated); stops after N
// programs, after M minutes, or after K mismatches (default 10), whichever comes first; with
// neither --count nor --minutes, runs 10000 programs. Each mismatch prints its reproducer (seed,
// input, program, both results). Exit status 1 when any program disagreed.
import { parseArgs } from 'node:util';

const USAGE = 'usage: node scripts/differential.mjs [--count N] [--seed S] [--minutes M] [--max-failures K]';

let options;
try {
  options = parseArgs({
    options: {
      count: { type: 'string' },
      seed: { type: 'string' },
      minutes: { type: 'string' },
      'max-failures': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

function number(name, fallback) {
  const text = options[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} wants a non-negative number, got '${text}'\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

const minutes = number('minutes', undefined);
const count = number('count', minutes === undefined ? 10_000 : Infinity);
const firstSeed = number('seed', Date.now() % 0x1_0000_0000) >>> 0;
const maxFailures = number('max-failures', 10);

let differential;
try {
  differential = await import('../dist/differential/index.js');
} catch (e) {
  console.error(`cannot load ../dist/differential/index.js (${e.message}): run \`npm run build\` first`);
  process.exit(2);
}
const { randomProgram, runDifferential, describeMismatch } = differential;

const started = Date.now();
const deadline = minutes === undefined ? Infinity : started + minutes * 60_000;
const limits = [count !== Infinity ? `${count} programs` : undefined, minutes !== undefined ? `${minutes} min` : undefined].filter(Boolean).join(' or ');
console.log(`differential: seeds from ${firstSeed}, up to ${limits}`);

let programs = 0;
let mismatches = 0;
let irreducible = 0;
let instructions = 0;
let lastReport = started;
while (programs < count && Date.now() < deadline && mismatches < maxFailures) {
  const seed = (firstSeed + programs) >>> 0;
  const result = runDifferential(randomProgram(seed));
  programs++;
  instructions += result.program.insns.length;
  if (!result.reducible) irreducible++;
  if (!result.agree) {
    mismatches++;
    console.log(`\n${describeMismatch(result)}\n`);
  }
  const now = Date.now();
  if (now - lastReport >= 10_000) {
    lastReport = now;
    const rate = Math.round((programs * 1000) / (now - started));
    console.log(`  ${programs} programs (${rate}/s, last seed ${seed}), ${irreducible} irreducible, ${mismatches} mismatches`);
  }
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `  seeds ${firstSeed}..${(firstSeed + programs - 1) >>> 0}, ${instructions} instructions, ${irreducible} irreducible, ${seconds} s`,
);
console.log(`differential: ${programs} programs, ${mismatches} mismatches`);
process.exit(mismatches > 0 ? 1 : 0);
