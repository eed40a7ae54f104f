import { CALLX, HelperId as H } from '@bpfhive/uapi';
import { helperCalls } from '../load/helper-calls.js';
import type { LoadedProgram } from '../programs/program.js';

/**
 * The helpers that need nothing of the run they serve beyond its CPU and its task: map
 * operations, clocks, random numbers, the task's identity, probe reads, printing, ring and perf
 * buffers, checksums of memory, locks (taken and released inside one run), loops and
 * for_each_map_elem (their callbacks run through the program). A program calling only these may
 * run over a batch of contexts in one call (Kernel.runBatch); the others read or write the run's
 * own state (its packet, redirect target, tail-call count, traced function, cookie).
 */
const BATCH_SAFE = new Set<number>([
  H.map_lookup_elem, H.map_update_elem, H.map_delete_elem, H.map_push_elem, H.map_pop_elem, H.map_peek_elem,
  H.map_lookup_percpu_elem, H.for_each_map_elem, H.loop,
  H.ktime_get_ns, H.ktime_get_boot_ns, H.ktime_get_coarse_ns, H.ktime_get_tai_ns, H.jiffies64,
  H.get_prandom_u32, H.get_smp_processor_id, H.get_numa_node_id,
  H.get_current_pid_tgid, H.get_current_uid_gid, H.get_current_comm, H.get_current_task, H.get_current_task_btf, H.get_current_cgroup_id,
  H.probe_read, H.probe_read_str, H.probe_read_kernel, H.probe_read_kernel_str, H.probe_read_user, H.probe_read_user_str,
  H.trace_printk, H.trace_vprintk, H.snprintf, H.strncmp,
  H.ringbuf_output, H.ringbuf_reserve, H.ringbuf_submit, H.ringbuf_discard, H.ringbuf_query, H.perf_event_output,
  H.csum_diff, H.spin_lock, H.spin_unlock,
]);

const verdicts = new WeakMap<LoadedProgram, boolean>();

/**
 * True when `program` may run in batches: it calls only BATCH_SAFE helpers, makes no indirect
 * calls (callx may reach any helper) and no LD_ABS/LD_IND packet loads (they read the run's
 * packet). Decided once per program.
 */
export function batchable(program: LoadedProgram): boolean {
  let verdict = verdicts.get(program);
  if (verdict === undefined) {
    verdict =
      !program.compiled.needs.ldPacket &&
      !program.compiled.needs.tailCall &&
      !program.xlated.some((i) => i.opcode === CALLX) &&
      [...helperCalls(program.xlated).keys()].every((id) => BATCH_SAFE.has(id));
    verdicts.set(program, verdict);
  }
  return verdict;
}
