import type { SamplingEventTarget } from './link.js';
/**
 * BPF_LINK_CREATE's attributes with union bpf_attr's names (the wire's link_create request has
 * this shape): ids where Linux takes fds, `target_name` where Linux takes a perf event's fd.
 * Cookies and revisions are JSON-safe integers (below 2^53).
 */
export interface LinkCreateAttr {
  readonly prog_id: number;
  /** The uapi number or bpftool's name. */
  readonly attach_type: number | string;
  /** Cgroup hooks: the cgroup id. */
  readonly target_fd?: number;
  /** XDP and TCX: the device. */
  readonly target_ifindex?: number;
  readonly flags?: number;
  /** perf_event tracepoints `category/name`, kprobes and fentry/fexit the function, raw tracepoints the name. */
  readonly target_name?: string;
  /** fentry/fexit: the FUNC's id in the kernel BTF (the union member tracing.target_btf_id shares). */
  readonly target_btf_id?: number;
  /** A perf_event kprobe on return (perf_event_open's kretprobe config bit). */
  readonly retprobe?: boolean;
  readonly perf_event?: { readonly bpf_cookie?: number };
  readonly kprobe_multi?: { readonly flags?: number; readonly syms?: readonly string[]; readonly cookies?: readonly number[] };
  readonly tracing?: { readonly target_btf_id?: number; readonly cookie?: number };
  readonly tcx?: { readonly relative_id?: number; readonly expected_revision?: number };
}

/** BPF_LINK_UPDATE's attributes. */
export interface LinkUpdateAttr {
  readonly new_prog_id: number;
  /** BPF_F_REPLACE, or 0. */
  readonly flags?: number;
  readonly old_prog_id?: number;
}

/**
 * What link creation needs to know of the machine, to check targets as Linux does. The kernel-sim
 * answers from the simulated world (hooks/world-targets.ts).
 */
export interface AttachTargets {
  /** The device with this ifindex; `native` when its driver runs XDP itself (not lo). */
  device(ifindex: number): { readonly ifindex: number; readonly native: boolean } | undefined;
  /** A kernel function's address (kallsyms), or undefined when the kernel has none of that name. */
  kernelFunction(name: string): bigint | undefined;
  /** The name of the kernel BTF FUNC with this id, or undefined when the id names no FUNC. */
  btfFunction(btfId: number): string | undefined;
  /** The kernel BTF FUNC id of function `name` (0 when BTF does not describe it). */
  btfFunctionId(name: string): number;
  /** True when tracepoint `category/name` exists (events/<category>/<name> in tracefs). */
  tracepoint(category: string, name: string): boolean;
  /** True when raw tracepoint `name` exists. */
  rawTracepoint(name: string): boolean;
  /** The sampling perf event with this id (perf_event_open's fd), if any; absent: the kernel has no perf events. */
  samplingEvent?(id: number): SamplingEventTarget | undefined;
  /** Whether a perf event (of any kind) has this id. */
  perfEventExists?(id: number): boolean;
}
