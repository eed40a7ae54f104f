/**
 * The kernel functions (kfuncs) bpfhive's kernel exposes to programs, as Linux registers them
 * with BTF_ID_FLAGS in a kfunc id set (kernel/bpf/helpers.c): the name, the KF_* flags the
 * verifier reads, the prototype in terms the verifier checks (the kernel's BTF FUNC_PROTO of the
 * same name in btf/vmlinux.c says the same in C), and the program types whose id set holds it.
 * One table for the verifier (which rules apply) and the kernel-sim (which functions it
 * implements and describes in its BTF).
 */
import { ProgType } from '../generated/enums.js';

/** The kernel's KF_* flags (include/linux/btf.h), same bit values. */
export const KF = {
  /** Returns a referenced pointer the program must release (or store as a kptr). */
  ACQUIRE: 1 << 0,
  /** Releases the referenced pointer of its first argument. */
  RELEASE: 1 << 1,
  /** May return NULL: the result must be checked before use. */
  RET_NULL: 1 << 2,
  /** Pointer arguments must be trusted (referenced, or trusted by the context). */
  TRUSTED_ARGS: 1 << 4,
  SLEEPABLE: 1 << 5,
  DESTRUCTIVE: 1 << 6,
  /** Pointer arguments may also be RCU-protected (inside bpf_rcu_read_lock, or rcu kptrs). */
  RCU: 1 << 7,
} as const;

/** One argument of a kfunc. */
export type KfuncParam =
  /** A scalar of `size` bytes. */
  | { readonly name: string; readonly kind: 'scalar'; readonly size: number }
  /** A pointer to kernel struct `struct` (PTR_TO_BTF_ID). */
  | { readonly name: string; readonly kind: 'btf_ptr'; readonly struct: string };

/** What a kfunc returns. */
export type KfuncRet =
  | { readonly kind: 'void' }
  | { readonly kind: 'scalar'; readonly size: number }
  | { readonly kind: 'btf_ptr'; readonly struct: string };

export interface KfuncProto {
  /** The C name, the FUNC's name in the kernel BTF. */
  readonly name: string;
  /** KF_* bits. */
  readonly flags: number;
  readonly params: readonly KfuncParam[];
  readonly ret: KfuncRet;
  /** Program types whose kfunc id set holds it; 'all' for the common set (BPF_PROG_TYPE_UNSPEC). */
  readonly progTypes: readonly number[] | 'all';
}

/**
 * generic_kfunc_set of kernel/bpf/helpers.c: the task kfuncs. Linux registers it for these
 * types (BTF_KFUNC_HOOK_TRACING covers tracing and the perf-event-like types since 6.x).
 */
const GENERIC_TYPES: readonly number[] = [
  ProgType.TRACING, ProgType.LSM, ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP, ProgType.STRUCT_OPS,
  ProgType.SYSCALL, ProgType.CGROUP_SKB, ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.RAW_TRACEPOINT, ProgType.PERF_EVENT,
];

const task = { kind: 'btf_ptr', struct: 'task_struct' } as const;

export const KFUNCS: readonly KfuncProto[] = [
  { name: 'bpf_task_acquire', flags: KF.ACQUIRE | KF.RCU | KF.RET_NULL, params: [{ name: 'p', ...task }], ret: task, progTypes: GENERIC_TYPES },
  { name: 'bpf_task_release', flags: KF.RELEASE, params: [{ name: 'p', ...task }], ret: { kind: 'void' }, progTypes: GENERIC_TYPES },
  { name: 'bpf_task_from_pid', flags: KF.ACQUIRE | KF.RET_NULL, params: [{ name: 'pid', kind: 'scalar', size: 4 }], ret: task, progTypes: GENERIC_TYPES },
  // common_kfunc_set: every program type.
  { name: 'bpf_rcu_read_lock', flags: 0, params: [], ret: { kind: 'void' }, progTypes: 'all' },
  { name: 'bpf_rcu_read_unlock', flags: 0, params: [], ret: { kind: 'void' }, progTypes: 'all' },
];

const BY_NAME = new Map(KFUNCS.map((k) => [k.name, k]));

/** The kfunc named `name`, or undefined when the kernel exposes none by that name. */
export const kfuncByName = (name: string): KfuncProto | undefined => BY_NAME.get(name);

/** Whether programs of `progType` may call `k` (btf_kfunc_id_set_contains). */
export const kfuncAllowed = (k: KfuncProto, progType: number): boolean => k.progTypes === 'all' || k.progTypes.includes(progType);
