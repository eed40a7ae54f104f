import type { LoadedProgram } from '../programs/program.js';

/** A kernel function a probe or fentry/fexit attaches to, with its bpf_get_attach_cookie value. */
export interface ProbedFunction {
  readonly name: string;
  /** Its kallsyms address (bpf_get_func_ip). */
  readonly address: bigint;
  readonly cookie: bigint;
}

/** Where a link attached: one variant per hook kind, plain data. */
export type LinkTarget =
  /** A device's XDP hook, in generic (skb) or native (drv) mode. */
  | { readonly kind: 'xdp'; readonly ifindex: number; readonly mode: 'skb' | 'drv' }
  | { readonly kind: 'tcx'; readonly ifindex: number; readonly direction: 'ingress' | 'egress' }
  | { readonly kind: 'cgroup'; readonly cgroupId: bigint; readonly attachType: number }
  /** A perf_event tracepoint (TRACEPOINT programs get its record). */
  | { readonly kind: 'tracepoint'; readonly category: string; readonly name: string; readonly cookie: bigint }
  /** A perf_event kprobe or kretprobe (pt_regs). */
  | { readonly kind: 'kprobe'; readonly func: ProbedFunction; readonly retprobe: boolean }
  | { readonly kind: 'kprobe_multi'; readonly funcs: readonly ProbedFunction[]; readonly retprobe: boolean }
  /** A raw tracepoint (RAW_TRACEPOINT programs, and TRACING programs as tp_btf): u64 arguments. */
  | { readonly kind: 'raw_tracepoint'; readonly name: string }
  /** fentry / fexit: u64 arguments (fexit: then the return value). */
  | { readonly kind: 'tracing'; readonly func: ProbedFunction; readonly btfId: number; readonly exit: boolean }
  /** A sampling perf event (PERF_EVENT programs get bpf_perf_event_data); the link keeps the event, as Linux's holds its file. */
  | { readonly kind: 'perf_event'; readonly event: SamplingEventTarget; readonly cookie: bigint };

/** What a perf_event link knows of its sampling event (perf/perf-events.ts SamplingEvent). */
export interface SamplingEventTarget {
  readonly id: number;
  readonly cpu: number;
  readonly type: number;
  readonly config: number;
  readonly periodNs: number;
}

/**
 * A link: the attach handle, named by its id. It holds its program (a reference in the program
 * table) until it is detached or closed; `update` swaps the program in one assignment, so a hook
 * reading `program` between events sees either the old or the new one, never neither.
 */
export class BpfLink {
  /** True once the hook let go (link_detach, or the device went away); it then runs nothing. */
  detached = false;
  /** True while the link holds a reference on `program`. */
  holdsProgram = true;

  constructor(
    readonly id: number,
    /** enum bpf_link_type. */
    readonly type: number,
    readonly attachType: number,
    public program: LoadedProgram,
    readonly target: LinkTarget,
  ) {}

  /** bpf_get_attach_cookie for a run on `func` (0 for hooks without cookies). */
  cookieFor(func?: string): bigint {
    const t = this.target;
    switch (t.kind) {
      case 'tracepoint':
      case 'perf_event':
        return t.cookie;
      case 'kprobe':
      case 'tracing':
        return t.func.cookie;
      case 'kprobe_multi':
        return t.funcs.find((f) => f.name === func)?.cookie ?? 0n;
      default:
        return 0n;
    }
  }
}
