import type { BpfMap } from '@bpfhive/maps-store';
import type { CallerIdentity } from '@bpfhive/uapi';

/**
 * What the kernel needs from outside, injected through its constructor (DESIGN.md §1: pure core,
 * constructor-injected ports). The verifier and compiler ports live beside their request types
 * (verify/types.ts, compile/types.ts).
 */

/**
 * Where the maps programs use come from. A map lives in this kernel's arena while a program holds
 * it: `acquire` hands it over (phase 1: a local MapDirectory on the same arena; later: a lease
 * from the maps-store), `release` gives it back once the last program using it is gone.
 * `acquire` rejects with EBADF for an id that names no map, as Linux does for a bad map fd.
 */
export interface MapProvider {
  acquire(mapId: number): Promise<BpfMap>;
  release(mapId: number): void;
  /**
   * EPERM unless `who` may name acquired map `mapId` (its creator's account, one that opened it
   * from a pin, or CAP_SYS_ADMIN: the maps-store's rule, which its lease carries). Absent, or
   * when the lease named no accounts: anyone may (the embedded mode has no identities).
   */
  checkAccess?(mapId: number, who: CallerIdentity, action: string): void;
}

/** Where bpf_trace_printk's lines go: /sys/kernel/tracing/trace_pipe (`bpf.v1.trace_pipe`). */
export interface TraceOutput {
  /** One trace_pipe line, without its newline. */
  line(text: string): void;
}

/**
 * The kernel's clocks, in nanoseconds. `monotonicNs` is CLOCK_MONOTONIC (and CLOCK_BOOTTIME: the
 * simulated machine never suspends); `realtimeNs` is CLOCK_REALTIME.
 */
export interface Clock {
  monotonicNs(): bigint;
  realtimeNs(): bigint;
}

/** bpf_get_prandom_u32's source: a uniformly distributed u32 per call. */
export interface RandomSource {
  nextU32(): number;
}
