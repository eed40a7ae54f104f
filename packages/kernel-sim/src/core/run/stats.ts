import { BpfError } from '@bpfhive/uapi';

/** BPF_ENABLE_STATS types (enum bpf_stats_type). */
export const BpfStatsType = { RUN_TIME: 0 } as const;

/**
 * kernel.bpf_stats_enabled: whether runs count run_time_ns and run_cnt (two clock reads per run or
 * batch, which costs a noticeable share of a short program's run, so Linux keeps it off by default).
 * It is on while `always` is set (the sysctl, here KERNEL_SIM_STATS=1) or while any handle that
 * BPF_ENABLE_STATS handed out is held; `disable` drops one handle (close of the fd).
 */
export class StatsSwitch {
  readonly #held = new Set<number>();
  #next = 1;

  constructor(readonly always = false) {}

  get enabled(): boolean {
    return this.always || this.#held.size > 0;
  }

  /** BPF_ENABLE_STATS(type): a handle that keeps stats on until `disable`; EINVAL for a type other than BPF_STATS_RUN_TIME. */
  enable(type: number): number {
    if (type !== BpfStatsType.RUN_TIME) throw new BpfError('EINVAL', `enable_stats: unknown stats type ${type} (only run_time, 0)`);
    const id = this.#next++;
    this.#held.add(id);
    return id;
  }

  /** Drops handle `id`; EBADF when it is not held (closed already, or never handed out). */
  disable(id: number): void {
    if (!this.#held.delete(id)) throw new BpfError('EBADF', `enable_stats: no stats handle ${id}`);
  }

  /** Handles held now. */
  get holders(): number {
    return this.#held.size;
  }
}
