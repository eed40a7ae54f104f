/**
 * What `bpfhive bench load` measures per operation: how many succeeded, their latencies, and the
 * failures by errno. Latencies are kept whole (a few hundred thousand numbers for a long run)
 * so the percentiles are exact, nearest-rank as most load tools report them.
 */

/** The summary of one operation over a run. */
export interface OperationSummary {
  readonly op: string;
  /** Completed without error. */
  readonly ok: number;
  /** Successful operations per second of the run. */
  readonly per_sec: number;
  /** Latency of the successful ones, in ms: nearest-rank percentiles and the maximum. */
  readonly p50_ms: number;
  readonly p90_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  /** Failures by errno name (`ENOENT`), or `ETIMEDOUT`/`EFAULT` for what carried none. */
  readonly errors: Readonly<Record<string, number>>;
}

/** The value at nearest rank `p` (0–100) of ascending `sorted`; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** Latencies and errors per operation, in the order operations were first seen. */
export class LoadRecorder {
  readonly #latencies = new Map<string, number[]>();
  readonly #errors = new Map<string, Map<string, number>>();

  /** One successful `op` that took `ms`. */
  ok(op: string, ms: number): void {
    this.#ops(op).push(ms);
  }

  /** One failed `op`, by errno name. */
  failed(op: string, errno: string): void {
    this.#ops(op);
    const errors = this.#errors.get(op)!;
    errors.set(errno, (errors.get(errno) ?? 0) + 1);
  }

  #ops(op: string): number[] {
    let list = this.#latencies.get(op);
    if (!list) {
      this.#latencies.set(op, (list = []));
      this.#errors.set(op, new Map());
    }
    return list;
  }

  /** Failures of every operation, by errno. */
  errorTotals(): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const errors of this.#errors.values()) for (const [errno, n] of errors) totals[errno] = (totals[errno] ?? 0) + n;
    return totals;
  }

  /** The summary of every operation over a run of `seconds`. */
  summary(seconds: number): OperationSummary[] {
    return [...this.#latencies].map(([op, latencies]) => {
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        op,
        ok: sorted.length,
        per_sec: round3(seconds > 0 ? sorted.length / seconds : 0),
        p50_ms: round3(percentile(sorted, 50)),
        p90_ms: round3(percentile(sorted, 90)),
        p99_ms: round3(percentile(sorted, 99)),
        max_ms: round3(sorted.at(-1) ?? 0),
        errors: Object.fromEntries(this.#errors.get(op)!),
      };
    });
  }
}
