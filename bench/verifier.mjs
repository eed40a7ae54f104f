// Verifier speed for `npm run bench`: packages/verifier/bench/verify.mjs (a generated program whose
// verification processes about 1,000,000 instructions, the kernel's budget) in a process of its
// own, so its heap and warm-up are not this bench's. Target: 1,000,000 processed instructions in
// under 2 s (the verifier issue); wall and CPU time both reported, the target judged on wall time.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'verifier', 'bench', 'verify.mjs');
export const VERIFIER_TARGET_MS = 2000;
const TARGET_INSNS = 1_000_000;

/** Runs the verifier bench; its JSON report plus the target verdict (time scaled to 1M processed instructions). */
export function runVerifierBench() {
  const out = JSON.parse(execFileSync(process.execPath, [SCRIPT, '--json'], { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').pop());
  const msPerMillion = (out.ms * TARGET_INSNS) / out.processed_insns;
  return { ...out, ms_per_million: msPerMillion, target_ms: VERIFIER_TARGET_MS, meets_target: out.verdict === 'accept' && msPerMillion < VERIFIER_TARGET_MS };
}

export function formatVerifierBench(v) {
  return [
    `\nVerifier (packages/verifier/bench/verify.mjs, its own process): a ${v.program_insns}-instruction program, verdict ${v.verdict}${v.error ? ` (${v.error})` : ''}`,
    `  processed ${v.processed_insns} insns in ${v.ms} ms (CPU ${v.cpu_ms} ms): ${v.processed_insns_per_sec.toLocaleString('en')} insns/s; states total ${v.total_states}, peak ${v.peak_states}`,
    `  1,000,000 processed instructions take ${Math.round(v.ms_per_million)} ms: target <${v.target_ms} ms ${v.meets_target ? 'ok' : 'MISS'}`,
  ].join('\n');
}
