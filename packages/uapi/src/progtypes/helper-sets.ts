/**
 * Which helpers each kind of program may call, as the kernel's `get_func_proto` callbacks decide
 * (kernel/bpf/helpers.c bpf_base_func_proto, kernel/trace/bpf_trace.c, net/core/filter.c).
 *
 * The kernel gates part of the base set on the loader's capabilities: the first group is for every
 * loader, the second needs CAP_BPF, the third CAP_PERFMON. A set here is a list of helper names
 * (without `bpf_`), resolved to ids once; an unknown name is a programming error caught by the tests.
 *
 * The sets follow Linux 6.12: bpf_get_current_pid_tgid and bpf_get_ns_current_pid_tgid are base
 * helpers of every program type (6.10), the current cgroup id helpers and cgroup storage are in
 * the CAP_BPF part of the base set, and bpf_ktime_get_coarse_ns is not in the base set at all
 * (5.17): only the networking tables hand it out, so tracing programs get "unknown func". Tracing
 * programs keep the bpf_timer_* helpers of the base set, but the verifier refuses any map with a
 * timer in kprobe, tracepoint, perf_event and raw tracepoint programs (check_map_prog_compatibility:
 * "tracing progs cannot use bpf_timer yet", EINVAL), which leaves them nothing to call them on.
 */
import { HelperId } from '../generated/helpers.js';

/** A capability the kernel checks when it hands out a helper or accepts a program type. */
export type Capability = 'CAP_BPF' | 'CAP_PERFMON' | 'CAP_NET_ADMIN' | 'CAP_SYS_ADMIN';

/** Helpers grouped by the capability they need beyond loading at all. */
export interface HelperSet {
  /** Allowed for every loader of this program type. */
  readonly always: ReadonlySet<number>;
  /** Allowed only when the loader has CAP_BPF. */
  readonly bpf: ReadonlySet<number>;
  /** Allowed only when the loader has CAP_PERFMON. */
  readonly perfmon: ReadonlySet<number>;
}

export type HelperName = keyof typeof HelperId;

function ids(names: readonly HelperName[]): Set<number> {
  return new Set(names.map((n) => HelperId[n]));
}

const BASE_ALWAYS: readonly HelperName[] = [
  'map_lookup_elem', 'map_update_elem', 'map_delete_elem', 'map_push_elem', 'map_pop_elem',
  'map_peek_elem', 'map_lookup_percpu_elem', 'get_prandom_u32', 'get_smp_processor_id',
  'get_numa_node_id', 'tail_call', 'ktime_get_ns', 'ktime_get_boot_ns', 'ktime_get_tai_ns',
  'ringbuf_output', 'ringbuf_reserve', 'ringbuf_submit', 'ringbuf_discard', 'ringbuf_query',
  'strncmp', 'strtol', 'strtoul', 'get_current_pid_tgid', 'get_ns_current_pid_tgid',
];

const BASE_BPF: readonly HelperName[] = [
  'spin_lock', 'spin_unlock', 'jiffies64', 'per_cpu_ptr', 'this_cpu_ptr', 'timer_init',
  'timer_set_callback', 'timer_start', 'timer_cancel', 'kptr_xchg', 'for_each_map_elem', 'loop',
  'user_ringbuf_drain', 'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr',
  'dynptr_from_mem', 'dynptr_read', 'dynptr_write', 'dynptr_data', 'cgrp_storage_get',
  'cgrp_storage_delete', 'get_current_cgroup_id', 'get_current_ancestor_cgroup_id',
];

const BASE_PERFMON: readonly HelperName[] = [
  'trace_printk', 'get_current_task', 'get_current_task_btf', 'probe_read_user', 'probe_read_kernel',
  'probe_read_user_str', 'probe_read_kernel_str', 'snprintf_btf', 'snprintf', 'task_pt_regs',
  'trace_vprintk',
];

/**
 * The base set plus `extra` helpers that need no capability beyond loading the program type, and
 * `perfmonExtra` helpers of the type's own table that it hands out only with CAP_PERFMON.
 */
export function withBase(extra: readonly HelperName[], perfmonExtra: readonly HelperName[] = []): HelperSet {
  return {
    always: ids([...BASE_ALWAYS, ...extra]),
    bpf: ids(BASE_BPF),
    perfmon: ids([...BASE_PERFMON, ...perfmonExtra]),
  };
}

/** bpf_sk_base_func_proto: what the networking tables add to the base set for every loader. */
const SK_BASE: readonly HelperName[] = ['ktime_get_coarse_ns'];

/** bpf_tracing_func_proto: what every tracing program (kprobe, tracepoint, raw_tp, perf, fentry) may call. */
const TRACING: readonly HelperName[] = [
  'get_current_task', 'get_current_task_btf', 'task_pt_regs',
  'get_current_uid_gid', 'get_current_comm', 'trace_printk', 'perf_event_read',
  'current_task_under_cgroup', 'probe_write_user', 'probe_read_user', 'probe_read_kernel',
  'probe_read_user_str', 'probe_read_kernel_str', 'probe_read', 'probe_read_str',
  'get_current_cgroup_id', 'get_current_ancestor_cgroup_id', 'send_signal', 'send_signal_thread',
  'perf_event_read_value', 'get_task_stack', 'snprintf_btf',
  'per_cpu_ptr', 'this_cpu_ptr', 'task_storage_get', 'task_storage_delete', 'for_each_map_elem',
  'snprintf', 'get_func_ip', 'get_branch_snapshot', 'find_vma', 'trace_vprintk', 'loop',
  'jiffies64', 'spin_lock', 'spin_unlock', 'copy_from_user', 'copy_from_user_task',
  'cgrp_storage_get', 'cgrp_storage_delete',
];

/** tracing_prog_func_proto's networking part (CONFIG_NET): BTF socket pointers and skb/xdp output. */
const TRACING_NET: readonly HelperName[] = [
  'skb_output', 'xdp_output', 'sk_storage_get', 'sk_storage_delete', 'sock_from_file',
  'skc_to_tcp_sock', 'skc_to_tcp6_sock', 'skc_to_udp6_sock', 'skc_to_unix_sock',
];

export const HELPERS_KPROBE = withBase([
  ...TRACING, 'perf_event_output', 'get_stackid', 'get_stack', 'get_attach_cookie', 'override_return',
]);
export const HELPERS_TRACEPOINT = withBase([
  ...TRACING, 'perf_event_output', 'get_stackid', 'get_stack', 'get_attach_cookie',
]);
export const HELPERS_RAW_TP = withBase([...TRACING, 'perf_event_output', 'get_stackid', 'get_stack']);
export const HELPERS_PERF_EVENT = withBase([
  ...TRACING, 'perf_event_output', 'get_stackid', 'get_stack', 'perf_prog_read_value',
  'read_branch_records', 'get_attach_cookie',
]);
export const HELPERS_TRACING = withBase([
  ...TRACING, ...TRACING_NET, 'perf_event_output', 'get_stackid', 'get_stack', 'get_func_arg',
  'get_func_ret', 'get_func_arg_cnt', 'get_attach_cookie', 'd_path',
]);
/** bpf_lsm_func_proto: its own helpers, then all of tracing_prog_func_proto. */
export const HELPERS_LSM = withBase([
  ...TRACING, ...TRACING_NET, 'perf_event_output', 'get_stackid', 'get_stack', 'get_func_arg',
  'get_func_ret', 'get_func_arg_cnt', 'get_attach_cookie', 'inode_storage_get',
  'inode_storage_delete', 'bprm_opts_set', 'ima_inode_hash', 'ima_file_hash', 'd_path',
  'get_retval', 'set_retval',
]);

/** sk_filter_func_proto: socket filters. */
export const HELPERS_SOCKET_FILTER = withBase([
  ...SK_BASE,
  'skb_load_bytes', 'skb_load_bytes_relative', 'get_socket_cookie', 'get_socket_uid',
  'perf_event_output',
]);

/** tc_cls_act_func_proto: TC classifiers and actions. */
export const HELPERS_TC = withBase([
  ...SK_BASE,
  'skb_store_bytes', 'skb_load_bytes', 'skb_load_bytes_relative', 'skb_pull_data', 'csum_diff',
  'csum_update', 'csum_level', 'l3_csum_replace', 'l4_csum_replace', 'clone_redirect',
  'get_cgroup_classid', 'skb_vlan_push', 'skb_vlan_pop', 'skb_change_proto', 'skb_change_type',
  'skb_adjust_room', 'skb_change_tail', 'skb_change_head', 'skb_get_tunnel_key',
  'skb_set_tunnel_key', 'skb_get_tunnel_opt', 'skb_set_tunnel_opt', 'redirect', 'redirect_map',
  'redirect_neigh', 'redirect_peer', 'get_route_realm', 'get_hash_recalc', 'set_hash_invalid',
  'set_hash', 'perf_event_output', 'skb_under_cgroup', 'get_socket_cookie', 'get_socket_uid',
  'fib_lookup', 'sk_fullsock', 'sk_storage_get', 'sk_storage_delete', 'skb_cgroup_classid',
  'skb_cgroup_id', 'skb_ancestor_cgroup_id', 'sk_lookup_tcp', 'sk_lookup_udp', 'sk_release',
  'tcp_sock', 'get_listener_sock', 'skc_lookup_tcp', 'tcp_check_syncookie', 'skb_ecn_set_ce',
  'tcp_gen_syncookie', 'sk_assign', 'skb_set_tstamp', 'check_mtu',
]);

/** xdp_func_proto. */
export const HELPERS_XDP = withBase([
  ...SK_BASE,
  'perf_event_output', 'csum_diff', 'xdp_adjust_head', 'xdp_adjust_meta', 'redirect',
  'redirect_map', 'xdp_adjust_tail', 'xdp_get_buff_len', 'xdp_load_bytes', 'xdp_store_bytes',
  'fib_lookup', 'check_mtu', 'sk_lookup_udp', 'sk_lookup_tcp', 'sk_release', 'skc_lookup_tcp',
  'tcp_check_syncookie', 'tcp_gen_syncookie',
]);

/** What cgroup programs that run in process context may call about the current task. */
const CGROUP_CURRENT: readonly HelperName[] = [
  'get_current_uid_gid', 'get_current_comm', 'get_current_cgroup_id',
  'get_current_ancestor_cgroup_id', 'get_cgroup_classid', 'get_local_storage', 'perf_event_output',
];

/** cg_skb_func_proto. */
export const HELPERS_CGROUP_SKB = withBase([
  ...SK_BASE,
  'skb_load_bytes', 'skb_load_bytes_relative', 'get_socket_cookie', 'get_socket_uid',
  'get_local_storage', 'sk_fullsock', 'sk_storage_get', 'sk_storage_delete', 'perf_event_output',
  'skb_cgroup_id', 'skb_ancestor_cgroup_id', 'sk_cgroup_id', 'sk_ancestor_cgroup_id', 'tcp_sock',
  'get_listener_sock', 'skb_ecn_set_ce',
]);

/** sock_addr_func_proto. */
export const HELPERS_CGROUP_SOCK_ADDR = withBase([
  ...SK_BASE,
  ...CGROUP_CURRENT, 'bind', 'get_socket_cookie', 'get_netns_cookie', 'sk_lookup_tcp',
  'sk_lookup_udp', 'sk_release', 'skc_lookup_tcp', 'sk_storage_get', 'sk_storage_delete',
  'setsockopt', 'getsockopt',
]);

/** sock_filter_func_proto (cgroup sock): its own bpf_ktime_get_coarse_ns, then the plain base set. */
export const HELPERS_CGROUP_SOCK = withBase([
  ...SK_BASE,
  ...CGROUP_CURRENT, 'get_socket_cookie', 'get_netns_cookie', 'sk_storage_get', 'sk_storage_delete',
]);

/** sock_ops_func_proto. */
export const HELPERS_SOCK_OPS = withBase([
  ...SK_BASE,
  'setsockopt', 'getsockopt', 'sock_ops_cb_flags_set', 'sock_map_update', 'sock_hash_update',
  'get_socket_cookie', 'get_local_storage', 'perf_event_output', 'sk_storage_get',
  'sk_storage_delete', 'get_netns_cookie', 'tcp_sock', 'load_hdr_opt', 'store_hdr_opt',
  'reserve_hdr_opt',
]);

/** sk_msg_func_proto. */
export const HELPERS_SK_MSG = withBase([
  ...SK_BASE,
  'msg_redirect_map', 'msg_redirect_hash', 'msg_apply_bytes', 'msg_cork_bytes', 'msg_pull_data',
  'msg_push_data', 'msg_pop_data', 'perf_event_output', 'get_current_uid_gid', 'sk_storage_get',
  'sk_storage_delete', 'get_netns_cookie', 'get_current_cgroup_id', 'get_current_ancestor_cgroup_id',
]);

/** sk_skb_func_proto. */
export const HELPERS_SK_SKB = withBase([
  ...SK_BASE,
  'skb_store_bytes', 'skb_load_bytes', 'skb_pull_data', 'skb_change_tail', 'skb_change_head',
  'skb_adjust_room', 'get_socket_cookie', 'get_socket_uid', 'sk_redirect_map', 'sk_redirect_hash',
  'perf_event_output', 'sk_lookup_tcp', 'sk_lookup_udp', 'sk_release', 'skc_lookup_tcp',
]);

/** sk_lookup_func_proto. */
export const HELPERS_SK_LOOKUP = withBase([...SK_BASE, 'perf_event_output', 'sk_assign', 'sk_release']);

/** flow_dissector_func_proto. */
export const HELPERS_FLOW_DISSECTOR = withBase([...SK_BASE, 'skb_load_bytes']);

/** cgroup_dev_func_proto. */
export const HELPERS_CGROUP_DEVICE = withBase([
  'get_current_uid_gid', 'get_local_storage', 'get_current_cgroup_id', 'perf_event_output',
]);

/**
 * syscall_prog_func_proto: programs run by BPF_PROG_RUN on behalf of user space. Their own four
 * helpers (bpf_sys_bpf only with CAP_PERFMON), then all of tracing_prog_func_proto but what needs a
 * trampoline (get_func_arg, get_func_ret, get_func_arg_cnt, get_attach_cookie) or an attach
 * target (d_path, seq_*).
 */
export const HELPERS_SYSCALL = withBase([
  'btf_find_by_name_kind', 'sys_close', 'kallsyms_lookup_name',
  ...TRACING, ...TRACING_NET, 'perf_event_output', 'get_stackid', 'get_stack',
], ['sys_bpf']);
