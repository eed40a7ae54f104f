import type { CallEnv, CallableFunction, FastForm } from '@bpfhive/jit';
import type { Arena } from '@bpfhive/maps-store';
import { Errno } from '@bpfhive/uapi';
import type { PerCpuVars } from '../kfuncs/percpu-vars.js';
import type { KernelMaps, MapArg } from '../maps/kernel-maps.js';
import type { KernelMemory } from '../memory/kernel-memory.js';
import type { Clock, RandomSource, TraceOutput } from '../ports.js';
import type { Cpu } from '../run/cpu.js';
import type { RunState } from '../run/run-state.js';
import type { TaskStructs } from '../tasks.js';

/**
 * What helpers see of the kernel. Each helper family (one file each) turns these into
 * HelperRegistry entries: `(args: [r1..r5] as u64 bigints, env) => r0`. A helper returns what
 * Linux's returns, negative errnos included; it throws only for what the verifier guarantees
 * cannot happen (a pointer outside kernel memory), which stops the run with EFAULT.
 */
export interface KernelServices {
  readonly arena: Arena;
  readonly memory: KernelMemory;
  readonly maps: KernelMaps;
  readonly tasks: TaskStructs;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly trace: TraceOutput;
  /** The kernel's per-CPU variables (typed ksyms); absent: none. */
  readonly percpu?: PerCpuVars;
  /** References on loaded programs (bpf_prog_inc / bpf_prog_put), for what holds a program as bpf_timer does; absent: nothing is held. */
  readonly programs?: ProgramRefs;
}

/** The program table's reference counting, by program id (Kernel.hold / Kernel.close). */
export interface ProgramRefs {
  hold(id: number): void;
  /** Drops a reference; the last one frees the program. */
  put(id: number): void;
}

export interface HelperDef {
  /** The helper id (`HelperId.<name>`). */
  readonly id: number;
  readonly fn: CallableFunction;
  /**
   * The same helper for programs compiled with the typed ABI (@bpfhive/jit FastForm): plain numbers
   * in ('u32' arguments as int32s), a number out for a 'u32' result, a BigInt for an 'i64' one.
   */
  readonly fast?: FastForm;
}

/** The CPU a helper runs on: JitPrograms are instantiated per CPU with the CPU as env.data. */
export const cpuOf = (env: CallEnv): Cpu => env.data as Cpu;

/** The run a helper serves. */
export const runOf = (env: CallEnv): RunState => cpuOf(env).run;

/** A negative errno as a helper's return value. */
export const negErrno = (code: keyof typeof Errno): bigint => BigInt(-Errno[code]);

/** The low 32 bits of an argument, unsigned (a u32 parameter). */
export const u32 = (v: bigint): number => Number(v & 0xffffffffn);

/** The low 32 bits of an argument, signed (an int parameter). */
export const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

/** An argument that is a pointer into the arena, as a number. */
export const ptr = (v: bigint): number => (v > 0xffff_ffffn ? -1 : Number(v));

/** The map whose pointer a program passed; anything else stops the run (the verifier checks map arguments). */
export function mapArg(kernel: KernelServices, pointer: bigint): MapArg {
  const found = kernel.maps.at(pointer);
  if (!found) throw new Error(`0x${pointer.toString(16)} is not a map`);
  return found;
}
