/** Runs and verdicts at one attach point, as `sim.counters` reports them. */
export interface HookCounter {
  /** xdp, tc_ingress, tc_egress, cgroup_skb_ingress, cgroup_skb_egress, sock_addr, tracepoint, raw_tracepoint, kprobe, kretprobe, fentry, fexit. */
  readonly hook: string;
  /** What it is attached to: `ifindex 2`, `cgroup 42 cgroup_inet4_connect`, `syscalls/sys_enter_openat`, `do_sys_openat2`. */
  readonly target: string;
  /** Program runs. */
  runs: number;
  /** Runs that stopped with an error (a fault the verifier should have prevented); they count as aborted. */
  errors: number;
  /** Verdicts by name (XDP_DROP, TC_ACT_OK, ALLOW, DENY); tracing hooks have none. */
  readonly actions: Map<string, number>;
  /** The last error's message. */
  lastError?: string;
}

/** The counters of every attach point that ran a program, created on first use. */
export class HookCounters {
  readonly #counters = new Map<string, HookCounter>();

  /** The counter of `hook` on `target`. */
  of(hook: string, target: string): HookCounter {
    const key = `${hook} ${target}`;
    let counter = this.#counters.get(key);
    if (!counter) {
      counter = { hook, target, runs: 0, errors: 0, actions: new Map() };
      this.#counters.set(key, counter);
    }
    return counter;
  }

  /** Adds `n` verdicts named `action`. */
  static action(counter: HookCounter, action: string, n = 1): void {
    counter.actions.set(action, (counter.actions.get(action) ?? 0) + n);
  }

  /** A run that failed with `error`. */
  static error(counter: HookCounter, error: unknown): void {
    counter.errors++;
    counter.lastError = error instanceof Error ? error.message : String(error);
  }

  /** Every counter, in the order they were first used. */
  list(): readonly HookCounter[] {
    return [...this.#counters.values()];
  }
}
