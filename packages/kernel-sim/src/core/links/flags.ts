/**
 * The flag bits and small enums link_create and link_update take, with the values of
 * include/uapi/linux/bpf.h and if_link.h.
 */

/** XDP_FLAGS_* (if_link.h): an XDP link takes a mode bit only. */
export const XdpFlags = { UPDATE_IF_NOEXIST: 1, SKB_MODE: 2, DRV_MODE: 4, HW_MODE: 8, REPLACE: 16 } as const;
export const XDP_FLAGS_MODES = XdpFlags.SKB_MODE | XdpFlags.DRV_MODE | XdpFlags.HW_MODE;

/** BPF_F_* attach flags: BPF_F_REPLACE for link_update, BEFORE/AFTER/ID/LINK for TCX (bpf_mprog). */
export const AttachFlags = { ALLOW_OVERRIDE: 1, ALLOW_MULTI: 2, REPLACE: 4, BEFORE: 8, AFTER: 16, ID: 32, LINK: 8192 } as const;

/** kprobe_multi.flags: fire on return. */
export const BPF_F_KPROBE_MULTI_RETURN = 1;

/** enum bpf_perf_event_type, as bpf_link_info.perf_event.type reports it. */
export const PerfEventType = { UNSPEC: 0, UPROBE: 1, URETPROBE: 2, KPROBE: 3, KRETPROBE: 4, TRACEPOINT: 5, EVENT: 6 } as const;

/** bpf_mprog's limit on the programs of one TCX hook, and BPF_CGROUP_MAX_PROGS. */
export const MAX_HOOK_PROGS = 64;
