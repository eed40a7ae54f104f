/**
 * The verifier's public input and output: a program as BPF_PROG_LOAD hands it over, and the
 * verdict with the log, statistics and what the JIT and the kernel-sim may rely on.
 */
import type { Capability, Instruction } from '@bpfhive/uapi';
import type { AttachFunc } from './btf-ctx.js';
import type { KernelBtfInfo } from './kernel-btf.js';
import type { MapSpec } from './map-info.js';
import type { FuncProto } from './func-proto.js';

export type { Capability } from '@bpfhive/uapi';
export type { MapSpec } from './map-info.js';
export type { BtfArgType, FuncProto } from './func-proto.js';

/** One entry of BTF line info: the source line an instruction comes from. */
export interface LineInfo {
  /** Instruction index (slot) the line starts at. */
  readonly insn_off: number;
  readonly file?: string;
  /** The source text of the line. */
  readonly line?: string;
  readonly line_num?: number;
  readonly line_col?: number;
}

/** One entry of BTF func info: where a function starts, its linkage and prototype. */
export interface FuncInfo {
  readonly insn_off: number;
  readonly type_id?: number;
  readonly name?: string;
  /** The FUNC's linkage: a global function is verified on its own, once (global-func.ts). */
  readonly linkage?: 'static' | 'global' | 'extern';
  /** The FUNC_PROTO, as btf_prepare_func_args reads it; needed for a global function. */
  readonly proto?: FuncProto;
}

/** prog_flags bits the verifier reads. */
export const ProgFlag = {
  STRICT_ALIGNMENT: 1,
  ANY_ALIGNMENT: 2,
  TEST_STATE_FREQ: 8,
  SLEEPABLE: 16,
} as const;

export interface VerifierProgram {
  readonly insns: readonly Instruction[];
  /** A program type number or name (`xdp`, 6, `BPF_PROG_TYPE_XDP`). */
  readonly progType: number | string;
  readonly expectedAttachType?: number | string;
  readonly license: string;
  /** Bits of log_level: 1 the path to an error, 2 every instruction, 4 statistics, 8 BPF_LOG_FIXED. Default 0. */
  readonly logLevel?: number;
  /**
   * log_size, the log buffer's bytes with its NUL; absent: no bound. A log that does not fit keeps
   * its end (its start with BPF_LOG_FIXED) and the verdict is a reject with ENOSPC, whatever the
   * verdict would have been, as bpf_check lets the log's error replace its own.
   */
  readonly logSize?: number;
  readonly progFlags?: number;
  /** The loader's capabilities; empty is an unprivileged loader. */
  readonly privileges: Iterable<Capability>;
  /** Maps the program may name, by id (the imm of `lddw rX, map`). */
  readonly maps: ReadonlyMap<number, MapSpec>;
  readonly funcInfo?: readonly FuncInfo[];
  readonly lineInfo?: readonly LineInfo[];
  /** The kernel function attach_btf_id names (fentry, fexit, fmod_ret, tp_btf, lsm): bounds the context (btf-ctx.ts). */
  readonly attachFunc?: AttachFunc;
  /** What the program names of the kernel's BTF (kfuncs, ksyms) and the structs they use (kernel-btf.ts). */
  readonly kernelBtf?: KernelBtfInfo;
}

export interface VerifyStats {
  /** Instructions processed over all paths (the 1,000,000 budget counts these). */
  readonly processed_insns: number;
  readonly total_states: number;
  readonly peak_states: number;
  readonly max_states_per_insn: number;
  /** Longest walk up the state chain to mark a register read. */
  readonly mark_read: number;
  readonly time_usec: number;
}

export interface VerifyFacts {
  /** Stack bytes each subprogram uses, in subprogram order. */
  readonly stackDepth: readonly number[];
  /** The first instruction (slot index) of each subprogram; [0] is the entry. */
  readonly subprogStarts: readonly number[];
  /** Helper ids the program calls, ascending. */
  readonly helpersUsed: readonly number[];
  /** Map ids the program names, ascending. */
  readonly mapIdsUsed: readonly number[];
  readonly usesTailCall: boolean;
  /** The largest packet offset any access reaches (max_pkt_offset), when packets are read. */
  readonly maxPacketOffset?: number;
  /**
   * Slot indices of `call bpf_map_lookup_elem` that, on every path, look up the same ARRAY or
   * PERCPU_ARRAY map with the same constant key below max_entries: the JIT may inline them.
   */
  readonly constArrayLookups?: readonly number[];
  /**
   * Slot indices of loads through PTR_TO_BTF_ID (kernel structs): the kernel runs them as
   * BPF_PROBE_MEM loads, which read 0 where the address is not memory instead of faulting.
   */
  readonly probeMemLoads?: readonly number[];
  /**
   * Slot indices (both slots of a `lddw`) of an accepted program that no path reached: dead code
   * the kernel never checked (helper calls included) and replaces before it runs (sanitize_dead_code).
   * Absent when every instruction was reached, and on a rejection.
   */
  readonly deadInsns?: readonly number[];
}

export interface VerifyError {
  /** The instruction (slot index) the verifier stopped at; -1 before any instruction ran. */
  readonly insn: number;
  /** The reason, as the kernel words it (its first line). */
  readonly message: string;
  /** `file:line` (and the source text) when line info covers the instruction. */
  readonly line?: string;
}

export type Errno = 'EACCES' | 'EINVAL' | 'EPERM' | 'E2BIG' | 'ENOSPC' | 'EBADF' | 'EFAULT' | 'ENOTSUPP' | 'ENOENT';

export interface VerifyResult {
  readonly verdict: 'accept' | 'reject';
  /** Set on reject; ENOSPC when the log did not fit logSize, whatever the verdict was. */
  readonly errno?: Errno;
  readonly error?: VerifyError;
  readonly log: string;
  /** At a log level: the log_size that would hold the whole log, its NUL included (log_true_size). */
  readonly logTrueSize?: number;
  readonly stats: VerifyStats;
  readonly facts: VerifyFacts;
}
