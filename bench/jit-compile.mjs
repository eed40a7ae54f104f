#!/usr/bin/env node
/* global performance */
/**
 * compile() time of the synthetic 4,096-instruction program (synthetic-program.mjs), alone or
 * against another build of @bpfhive/jit in the same process, so that load on a shared machine
 * hits both sides alike.
 *
 *   node bench/jit-compile.mjs                        warm median/fastest and first compile (cold)
 *   node bench/jit-compile.mjs --against /tmp/old/dist   the same for both builds, alternating;
 *                                                     the build's output must be byte-identical
 *   node bench/jit-compile.mjs --loop 2000            only compiles, N times (for --cpu-prof, callgrind;
 *                                                     with --against, the other build's)
 *
 * `--against` takes the directory holding the other build's index.js (a copy of packages/jit/dist
 * whose `@bpfhive/uapi` import resolves, e.g. with a node_modules link beside it). Cold numbers
 * come from fresh processes (`--cold`), one per sample, the builds taking turns. Warm compiles
 * alternate too; ratios are medians of the ratios of compiles (or processes) taken back to back.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { syntheticProgram } from './synthetic-program.mjs';

const argv = process.argv.slice(2);
const arg = (name) => {
  const k = argv.indexOf(name);
  return k < 0 ? undefined : argv[k + 1];
};
const INSNS = 4096;
const WARMUP = Number(arg('--warmup') ?? 30);
const REPEATS = Number(arg('--repeats') ?? 101);
const COLD_SAMPLES = Number(arg('--cold-samples') ?? 7);
const against = arg('--against');

const load = async (dir) => (dir === undefined ? import('@bpfhive/jit') : import(pathToFileURL(resolve(dir, 'index.js')).href));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function cold(dir) {
  const { compile } = await load(dir === '-' ? undefined : dir);
  const insns = syntheticProgram(INSNS);
  const t0 = performance.now();
  const c = compile(insns);
  const wall = performance.now() - t0;
  process.stdout.write(JSON.stringify({ first_ms: c.stats.compileMs, wall_ms: wall }));
}

/** First compiles in fresh processes, COLD_SAMPLES per build, the builds taking turns. */
function coldSamples(builds) {
  const self = fileURLToPath(import.meta.url);
  for (const b of builds) b.cold = [];
  for (let i = 0; i < COLD_SAMPLES; i++) {
    for (const b of builds) b.cold.push(JSON.parse(execFileSync(process.execPath, [self, '--cold', b.dir ?? '-'], { encoding: 'utf8' })).first_ms);
  }
}

async function main() {
  if (arg('--cold') !== undefined) return cold(arg('--cold'));
  const insns = syntheticProgram(INSNS);
  const loop = arg('--loop');
  if (loop !== undefined) {
    const { compile } = await load(against);
    const t0 = performance.now();
    for (let i = 0; i < Number(loop); i++) compile(insns);
    console.log(`${loop} compiles, ${((performance.now() - t0) / Number(loop)).toFixed(3)} ms each`);
    return;
  }
  const builds = [{ name: 'this build', dir: undefined }, ...(against ? [{ name: against, dir: against }] : [])];
  for (const b of builds) b.compile = (await load(b.dir)).compile;
  if (builds.length === 2) {
    const [a, b] = builds.map((x) => x.compile(insns).bytes);
    if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) throw new Error('the two builds emit different modules');
  }
  for (let i = 0; i < WARMUP; i++) for (const b of builds) b.compile(insns);
  for (const b of builds) b.ms = [];
  for (let i = 0; i < REPEATS; i++) for (const b of builds) b.ms.push(b.compile(insns).stats.compileMs);
  coldSamples(builds);
  for (const b of builds) {
    console.log(
      `${b.name.padEnd(24)} warm median ${median(b.ms).toFixed(3)} ms  fastest ${Math.min(...b.ms).toFixed(3)} ms  first compile median ${median(b.cold).toFixed(2)} ms (of ${b.cold.map((x) => x.toFixed(1)).join(' ')})`,
    );
  }
  if (builds.length === 2) {
    const ratios = builds[0].ms.map((x, i) => x / builds[1].ms[i]);
    const coldRatios = builds[0].cold.map((x, i) => x / builds[1].cold[i]);
    console.log(`this build / other (medians of paired ratios): warm ${median(ratios).toFixed(3)}, first compile ${median(coldRatios).toFixed(3)}`);
  }
}

main().catch((e) => {
  console.error(e?.stack ?? String(e));
  process.exit(1);
});
