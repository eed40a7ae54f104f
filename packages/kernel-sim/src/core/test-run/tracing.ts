import { AttachType, MAX_BPF_FUNC_ARGS } from '@bpfhive/uapi';
import { placeContext } from '../contexts/tracing.js';
import type { ArenaBlock } from '../memory/regions.js';
import { type PreparedTestRun, type TestRunAttr, type TestRunHandler, type TestRunResult, TestRunFlag, retval, testRunError } from './attr.js';

/** The verifier's max_ctx_offset fact, when it reported one: the context must be at least that long. */
function maxCtxOffset(facts: unknown): number {
  const value = (facts as { max_ctx_offset?: unknown } | undefined)?.max_ctx_offset;
  return typeof value === 'number' ? value : 0;
}

/** EINVAL for the attributes a program type without packet data or repeats does not take. */
function rejectDataAndRepeat(attr: TestRunAttr, what: string): void {
  if (attr.data_in !== undefined || attr.data_size_out !== undefined || attr.ctx_size_out !== undefined || attr.repeat || attr.batch_size) {
    throw testRunError('EINVAL', `${what} programs take ctx_in only: no data_in, data_size_out, ctx_size_out, repeat or batch_size`);
  }
}

/** One run with `bytes` in the arena as its context (NULL when there are none); `finish` adds to retval and duration. */
function runOnceWith(
  env: Parameters<TestRunHandler>[0],
  bytes: Uint8Array | undefined,
  once: (ctx: number) => bigint,
  finish: (block: ArenaBlock | undefined) => Partial<TestRunResult> = () => ({}),
): PreparedTestRun {
  const block = bytes ? placeContext(env.arena, bytes) : undefined;
  return {
    repeat: 1,
    once: () => once(block?.address ?? 0),
    finish: (r0) => ({ retval: retval(r0), duration: 0, ...finish(block) }),
    release: () => block?.free(),
  };
}

/** A run that does not run the program: `retval` is what Linux's test function returns. */
const notRun = (value: number): PreparedTestRun => ({ repeat: 1, once: () => BigInt(value), finish: (r0) => ({ retval: retval(r0), duration: 0 }), release: () => {} });

/**
 * BPF_PROG_TEST_RUN for raw tracepoints (bpf_prog_test_run_raw_tp): ctx_in holds the u64
 * arguments (at most 12, and at least as many bytes as the program reads); it runs once, on CPU 0
 * or, with BPF_F_TEST_RUN_ON_CPU, on `cpu`. Only retval comes back. EINVAL: data, repeats, ctx
 * out, a bad context size, a cpu without the flag; ENXIO: a CPU the kernel does not have.
 */
export const testRunRawTracepoint: TestRunHandler = (env, program, attr) => {
  rejectDataAndRepeat(attr, 'raw tracepoint');
  const size = attr.ctx_in?.length ?? 0;
  if (size < maxCtxOffset(program.verifierFacts) || size > MAX_BPF_FUNC_ARGS * 8) throw testRunError('EINVAL', `ctx_in must hold at most ${MAX_BPF_FUNC_ARGS} u64 arguments, got ${size} bytes`);
  const onCpu = ((attr.flags ?? 0) & TestRunFlag.RUN_ON_CPU) !== 0;
  const index = attr.cpu ?? 0;
  if (!onCpu && index !== 0) throw testRunError('EINVAL', 'cpu needs BPF_F_TEST_RUN_ON_CPU');
  const cpu = env.cpus[onCpu ? index : 0];
  if (!cpu) throw testRunError('ENXIO', `cpu ${index}: the kernel has ${env.cpus.length} CPUs`);
  return runOnceWith(env, attr.ctx_in, (ctx) => env.run(program, cpu, ctx, { task: env.task }).r0);
};

/**
 * BPF_PROG_TEST_RUN for SYSCALL programs (bpf_prog_test_run_syscall): runs once with ctx_in
 * (at most 65,535 bytes) as the context and hands the context back as ctx_out, as Linux copies
 * it back over ctx_in. EINVAL: data, repeats, flags, ctx_size_out, a bad context size.
 */
export const testRunSyscall: TestRunHandler = (env, program, attr) => {
  rejectDataAndRepeat(attr, 'syscall');
  if (attr.flags) throw testRunError('EINVAL', 'flags do not apply to syscall programs');
  const size = attr.ctx_in?.length ?? 0;
  if (size < maxCtxOffset(program.verifierFacts) || size > 0xffff) throw testRunError('EINVAL', `ctx_in must be at most 65535 bytes, got ${size}`);
  return runOnceWith(
    env,
    attr.ctx_in,
    (ctx) => env.run(program, env.cpus[0]!, ctx, { task: env.task }).r0,
    (block) => (block ? { ctx_out: block.bytes.slice() } : {}),
  );
};

/**
 * BPF_PROG_TEST_RUN for TRACING programs (bpf_prog_test_run_tracing): Linux calls its test
 * functions (bpf_fentry_test1…, bpf_modify_return_test…), which run the program only if it is
 * attached to them. Programs are not attached in phase 1, so fentry/fexit report 0 and
 * fmod_ret the untouched functions' result, (2 << 16) | 33, as Linux does for an unattached
 * program. EINVAL for flags, cpu or batch_size; EFAULT for other attach types, as Linux.
 */
export const testRunTracing: TestRunHandler = (_env, program, attr) => {
  if (attr.flags || attr.cpu || attr.batch_size) throw testRunError('EINVAL', 'flags, cpu and batch_size do not apply to tracing programs');
  switch (program.expectedAttachType) {
    case AttachType.TRACE_FENTRY:
    case AttachType.TRACE_FEXIT:
      return notRun(0);
    case AttachType.MODIFY_RETURN:
      return notRun((2 << 16) | 33);
    default:
      throw testRunError('EFAULT', 'only fentry, fexit and fmod_ret tracing programs can be test-run');
  }
};
