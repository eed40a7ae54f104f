#!/usr/bin/env node
/**
 * Verifier throughput: verifies a large generated program (heavy-program.mjs: a bounded loop
 * whose body reads a map value at a computed offset, checks the data and folds it into
 * accumulators) and prints processed instructions per second. Needs `npm run build` first.
 *
 *   node bench/verify.mjs [iterations] [--json]
 *
 * The default iteration count makes the verifier process about 1,000,000 instructions, its
 * budget; the target is under 2 s for that.
 */
import { assemble } from '@bpfhive/uapi';
import { performance } from 'node:perf_hooks';
import { verify } from '../dist/index.js';
import { MILLION_INSN_ITERATIONS, heavyProgramSource } from './heavy-program.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const iterations = Number(args.find((a) => /^\d+$/.test(a)) ?? MILLION_INSN_ITERATIONS);

const source = heavyProgramSource(iterations);

const program = {
  insns: assemble(source),
  progType: 'xdp',
  license: 'GPL',
  privileges: ['CAP_BPF', 'CAP_NET_ADMIN'],
  maps: new Map([[1, { map_type: 2, key_size: 4, value_size: 256, max_entries: 1, map_flags: 0 }]]),
};

// One warm-up run lets V8 optimise the verifier, as a long-running service would have.
verify({ ...program, insns: assemble(heavyProgramSource(200)) });
const start = performance.now();
const cpu0 = process.cpuUsage();
const result = verify(program);
const cpu = process.cpuUsage(cpu0);
const ms = performance.now() - start;
// On a shared machine the CPU time says more than the wall time.
const cpuMs = (cpu.user + cpu.system) / 1000;
const perSec = Math.round(result.stats.processed_insns / (ms / 1000));
const perCpuSec = Math.round(result.stats.processed_insns / (cpuMs / 1000));
const out = {
  verdict: result.verdict,
  error: result.error?.message,
  program_insns: program.insns.length,
  processed_insns: result.stats.processed_insns,
  total_states: result.stats.total_states,
  peak_states: result.stats.peak_states,
  ms: Math.round(ms),
  cpu_ms: Math.round(cpuMs),
  processed_insns_per_sec: perSec,
  processed_insns_per_cpu_sec: perCpuSec,
};
if (json) console.log(JSON.stringify(out));
else {
  console.log(`verifier bench: ${out.program_insns} insns, verdict ${out.verdict}${out.error ? ` (${out.error})` : ''}`);
  console.log(`  processed ${out.processed_insns} insns in ${out.ms} ms: ${perSec.toLocaleString('en')} insns/s`);
  console.log(`  CPU time ${out.cpu_ms} ms: ${perCpuSec.toLocaleString('en')} insns per CPU second`);
  console.log(`  states: total ${out.total_states}, peak ${out.peak_states}`);
}
