import type { CompiledProgram, InlineMap } from '@bpfhive/jit';
import type { Instruction } from '@bpfhive/uapi';

/**
 * The compiler port: a verified program whose pseudo 64-bit loads the kernel has already turned
 * into constants (map handles, value addresses) in, a WebAssembly module that imports the
 * kernel's shared memory out. In process (@bpfhive/jit's compile) or over `bpf.v1.internal.jit`.
 * Rejects with a BpfError (EINVAL) for a program it cannot translate.
 */
export interface CompileInput {
  readonly insns: readonly Instruction[];
  /** For messages only. */
  readonly name?: string;
  /** Maps whose lookups the JIT may inline (compile/inline-maps.ts), from the maps the program holds. */
  readonly maps?: readonly InlineMap[];
  /**
   * Instruction indexes (an lddw counts once) of BPF_PROBE_MEM loads, from the verifier's
   * facts: loads through kernel struct pointers, which read 0 where no memory is (the JIT's
   * compile option `probeLoads`).
   */
  readonly probeLoads?: readonly number[];
}

/**
 * How the kernel has every program compiled: helpers that read clocks, the CPU, prandom or
 * `current` become reads of the CPU's kernel data block (run/cpu.ts), and helpers with a Linux
 * prototype are called with the typed ABI (and the fast forms the kernel's helpers have).
 */
export const KERNEL_COMPILE_OPTIONS = { inlineKernelData: true, typedHelpers: true } as const;

/**
 * What the kernel instantiates: the module bytes and what it imports (JitProgram reads nothing
 * else). A module compiled by the jit service has no IR, so `module` may be an empty stub and
 * `wat()` may throw.
 */
export type CompiledModule = CompiledProgram;

export interface ProgramCompiler {
  compile(input: CompileInput): Promise<CompiledModule>;
}
