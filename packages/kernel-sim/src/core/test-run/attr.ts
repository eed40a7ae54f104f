import type { Arena } from '@bpfhive/maps-store';
import { BpfError } from '@bpfhive/uapi';
import type { NetDevices } from '../net/devices.js';
import type { Clock } from '../ports.js';
import type { LoadedProgram } from '../programs/program.js';
import type { Cpu } from '../run/cpu.js';
import type { RunOptions, RunResult } from '../run/runner.js';
import type { Task } from '../tasks.js';

/** BPF_PROG_TEST_RUN's attributes (union bpf_attr's `test`), byte strings as arrays. */
export interface TestRunAttr {
  readonly data_in?: Uint8Array;
  /** Room for data_out; 0 or absent: any size. */
  readonly data_size_out?: number;
  readonly ctx_in?: Uint8Array;
  /** Room for ctx_out; absent: ctx_out comes back when ctx_in was given. */
  readonly ctx_size_out?: number;
  readonly repeat?: number;
  readonly flags?: number;
  readonly cpu?: number;
  readonly batch_size?: number;
}

export interface TestRunResult {
  /** r0 as Linux reports it: the low 32 bits. */
  readonly retval: number;
  /** Average nanoseconds per run (u32, saturating). */
  readonly duration: number;
  readonly data_out?: Uint8Array;
  readonly ctx_out?: Uint8Array;
}

/** BPF_F_TEST_RUN_ON_CPU, BPF_F_TEST_XDP_LIVE_FRAMES. */
export const TestRunFlag = { RUN_ON_CPU: 1, XDP_LIVE_FRAMES: 2 } as const;

/** What a test-run handler needs of the kernel. */
export interface TestRunEnv {
  readonly arena: Arena;
  readonly cpus: readonly Cpu[];
  readonly devices: NetDevices;
  readonly clock: Clock;
  /** `current` while the program runs: the caller of bpf(2). */
  readonly task: Task;
  run(program: LoadedProgram, cpu: Cpu, ctx: number, options?: RunOptions): RunResult;
}

/**
 * A test run set up by its type's handler: the context and packet are in the arena, the
 * attributes checked. The caller runs `once` `repeat` times (repeats.ts), then calls `finish`
 * with the last r0 and the average duration, and `release` in any case.
 */
export interface PreparedTestRun {
  readonly repeat: number;
  /** One run of the program; returns r0. */
  once(): bigint;
  /** The reply after the last run: reads data_out and ctx_out back. */
  finish(r0: bigint, duration: number): TestRunResult;
  /** Frees what the handler placed in the arena. */
  release(): void;
}

/** Checks the attributes and sets up the run (bpf_prog_ops.test_run up to its bpf_test_run call). */
export type TestRunHandler = (env: TestRunEnv, program: LoadedProgram, attr: TestRunAttr) => PreparedTestRun;

export const testRunError = (code: string, reason: string): BpfError => new BpfError(code, `test_run: ${reason}`);

/** `repeat`, where 0 means 1. */
export const repeatCount = (attr: TestRunAttr): number => Math.max(1, attr.repeat ?? 0);

/** The low 32 bits of r0. */
export const retval = (r0: bigint): number => Number(r0 & 0xffffffffn);

/**
 * bpf_ctx_init: the context the caller gave, zero-extended to `size`; E2BIG when bytes past
 * `size` are not zero (bpf_check_uarg_tail_zero). Undefined when the caller gave none and asked
 * for none back.
 */
export function contextIn(attr: TestRunAttr, size: number): Uint8Array | undefined {
  if (attr.ctx_in === undefined && attr.ctx_size_out === undefined) return undefined;
  const input = attr.ctx_in ?? new Uint8Array(0);
  if (input.subarray(size).some((b) => b !== 0)) throw testRunError('E2BIG', `ctx_in is ${input.length} bytes; past the ${size}-byte context they must be zero`);
  const ctx = new Uint8Array(size);
  ctx.set(input.subarray(0, size));
  return ctx;
}

/** bpf_test_finish's data_out: ENOSPC when the caller gave less room than the data needs. */
export function dataOut(attr: TestRunAttr, data: Uint8Array): Uint8Array {
  if (attr.data_size_out && data.length > attr.data_size_out) {
    throw testRunError('ENOSPC', `data_out is ${data.length} bytes, more than data_size_out (${attr.data_size_out})`);
  }
  return data.slice();
}

/** bpf_ctx_finish's ctx_out: ENOSPC when the caller gave less room than the context needs. */
export function contextOut(attr: TestRunAttr, ctx: Uint8Array): Uint8Array {
  if (attr.ctx_size_out !== undefined && ctx.length > attr.ctx_size_out) {
    throw testRunError('ENOSPC', `ctx_out is ${ctx.length} bytes, more than ctx_size_out (${attr.ctx_size_out})`);
  }
  return ctx.slice();
}
