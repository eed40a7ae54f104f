import type { Instruction } from '@bpfhive/uapi';
import type { CompiledModule } from '../compile/types.js';
import type { ProgBtf } from '../btf/prog-btf.js';
import type { KernelMap } from '../maps/kernel-maps.js';
import type { VerifyStats } from '../verify/types.js';

/** Run statistics, as bpf_prog_info reports them (run_time_ns, run_cnt, recursion_misses). */
export interface ProgramStats {
  runTimeNs: bigint;
  runCount: bigint;
  recursionMisses: bigint;
}

/**
 * A program the kernel accepted: verified, compiled, holding its maps. Its instances (one per CPU
 * it ran on) live with the CPUs. Plain data and counters; the ProgramTable owns its lifetime.
 */
export interface LoadedProgram {
  readonly id: number;
  readonly type: number;
  readonly expectedAttachType: number;
  /** prog_name, at most 15 characters. */
  readonly name: string;
  /** The first 8 bytes of the SHA-1 of the submitted instructions, map references zeroed. */
  readonly tag: Uint8Array;
  readonly license: string;
  readonly gplCompatible: boolean;
  readonly flags: number;
  /** As submitted: lddw instructions name maps by id. */
  readonly insns: readonly Instruction[];
  /** As run: pseudo lddw instructions turned into constants (map handles, value addresses). */
  readonly xlated: readonly Instruction[];
  readonly compiled: CompiledModule;
  /** The maps the program holds, in the order it first names them. */
  readonly maps: readonly KernelMap[];
  /** Boot-time nanoseconds at load. */
  readonly loadTime: bigint;
  readonly createdByUid: number;
  readonly verifierStats: VerifyStats;
  readonly verifierFacts: unknown;
  /** Its BTF (bpf_prog_info.btf_id, attach_btf_id, attach_btf_obj_id): it holds btf.btfId while it lives. */
  readonly btf: ProgBtf;
  readonly stats: ProgramStats;
}
