import { HelperId as H } from '@bpfhive/uapi';
import { batchable } from '../hooks/batchable.js';
import type { LoadedProgram } from '../programs/program.js';

/**
 * Helpers a program on a CPU thread cannot call through main (cpu-threads.ts): bpf_loop and
 * bpf_for_each_map_elem call back into the program, whose instance is on the worker; a
 * bpf_spin_lock held by one CPU's program while another CPU's asks main for it would wait with
 * main blocked (the JIT's inlined forms of these, when there are, need nothing of main).
 */
const MAIN_THREAD_ONLY = new Set<number>([H.loop, H.for_each_map_elem, H.spin_lock, H.spin_unlock]);

const verdicts = new WeakMap<LoadedProgram, boolean>();

/**
 * True when `program` may run its batches on its CPU's worker thread: it may run in batches
 * (batchable.ts: no packet, redirect or tail-call state per run) and every helper it still
 * imports after the JIT's inlining may be served from main while it runs there (and no kfuncs).
 * Decided once.
 */
export function runsOnThread(program: LoadedProgram): boolean {
  let verdict = verdicts.get(program);
  if (verdict === undefined) {
    verdict = batchable(program) && program.compiled.needs.kfuncs.length === 0 && !program.compiled.needs.helpers.some((id) => MAIN_THREAD_ONLY.has(id));
    verdicts.set(program, verdict);
  }
  return verdict;
}
