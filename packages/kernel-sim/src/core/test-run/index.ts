import { ProgType, progTypeName } from '@bpfhive/uapi';
import type { LoadedProgram } from '../programs/program.js';
import { type PreparedTestRun, type TestRunAttr, type TestRunEnv, type TestRunHandler, type TestRunResult, testRunError } from './attr.js';
import { type SliceOptions, runRepeats, runRepeatsSliced } from './repeats.js';
import { testRunSkb } from './skb.js';
import { testRunRawTracepoint, testRunSyscall, testRunTracing } from './tracing.js';
import { testRunXdp } from './xdp.js';

export type { TestRunAttr, TestRunEnv, TestRunResult } from './attr.js';
export { type SliceOptions, TEST_RUN_DEADLINE_MS, TEST_RUN_SLICE_MS } from './repeats.js';

/** The program types BPF_PROG_TEST_RUN can run, by their handler (Linux's bpf_prog_ops.test_run). */
const HANDLERS = new Map<number, TestRunHandler>([
  [ProgType.XDP, testRunXdp],
  [ProgType.SOCKET_FILTER, testRunSkb],
  [ProgType.SCHED_CLS, testRunSkb],
  [ProgType.SCHED_ACT, testRunSkb],
  [ProgType.CGROUP_SKB, testRunSkb],
  [ProgType.LWT_IN, testRunSkb],
  [ProgType.LWT_OUT, testRunSkb],
  [ProgType.LWT_XMIT, testRunSkb],
  [ProgType.LWT_SEG6LOCAL, testRunSkb],
  [ProgType.RAW_TRACEPOINT, testRunRawTracepoint],
  [ProgType.TRACING, testRunTracing],
  [ProgType.SYSCALL, testRunSyscall],
]);

/** Types Linux can test-run that bpfhive cannot yet. */
const NOT_YET = new Set<number>([ProgType.FLOW_DISSECTOR, ProgType.SK_LOOKUP, ProgType.NETFILTER, ProgType.STRUCT_OPS]);

/**
 * BPF_PROG_TEST_RUN's checks and set-up by the program type's handler. ENOTSUPP for types without
 * one (kprobes, tracepoints, perf events, cgroup hooks…), as Linux answers; EINVAL for an empty
 * ctx_in or a ctx_size_out of 0, as Linux refuses a context pointer without a size and back.
 */
function prepare(env: TestRunEnv, program: LoadedProgram, attr: TestRunAttr): PreparedTestRun {
  const handler = HANDLERS.get(program.type);
  const name = progTypeName(program.type) ?? String(program.type);
  if (!handler) throw testRunError('ENOTSUPP', NOT_YET.has(program.type) ? `${name} programs cannot be test-run in bpfhive yet` : `${name} programs cannot be test-run (Linux has no test_run for them)`);
  if (attr.ctx_size_out === 0) throw testRunError('EINVAL', 'ctx_size_out of 0: leave it out to get no ctx_out');
  if (attr.ctx_in?.length === 0) throw testRunError('EINVAL', 'ctx_in is empty: leave it out to give no context');
  return handler(env, program, attr);
}

/** BPF_PROG_TEST_RUN: runs `program` (prepare) `repeat` times in one go and answers as Linux does. */
export function testRun(env: TestRunEnv, program: LoadedProgram, attr: TestRunAttr): TestRunResult {
  const run = prepare(env, program, attr);
  try {
    const { r0, duration } = runRepeats(env.clock, run);
    return run.finish(r0, duration);
  } finally {
    run.release();
  }
}

/**
 * BPF_PROG_TEST_RUN as a service runs it: the repeats in slices with pauses between them, so that
 * other requests are answered meanwhile, and EINTR at the deadline (repeats.ts). The caller keeps
 * the program alive until the promise settles.
 */
export async function testRunSliced(env: TestRunEnv, program: LoadedProgram, attr: TestRunAttr, options?: SliceOptions): Promise<TestRunResult> {
  const run = prepare(env, program, attr);
  try {
    const { r0, duration } = await runRepeatsSliced(env.clock, run, options);
    return run.finish(r0, duration);
  } finally {
    run.release();
  }
}
