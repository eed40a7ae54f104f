/**
 * Context structures as uapi/linux/bpf.h lays them out (x86-64), field by field.
 *
 * A layout is the struct only; which fields a program type may read or write is decided in
 * table.ts. Offsets and sizes are checked against the machine's linux/bpf.h by context.test.ts.
 *
 * In bpfhive every pointer a context holds (`data`, `data_end`, `data_meta`, `sk`, …) is an offset
 * into the kernel's shared memory, so a program's load of `ctx->data` needs no rewriting: the hook
 * writes the offset there (DESIGN §5). 32-bit pointer fields hold the offset as a u32; 64-bit ones
 * (`__bpf_md_ptr`, `sk`) as a u64.
 */

/**
 * What a value loaded from a field is, for the verifier: a plain scalar, or a pointer of a kind.
 * `pkt_data`/`pkt_end`/`pkt_meta` are PTR_TO_PACKET, PTR_TO_PACKET_END, PTR_TO_PACKET_META;
 * `sock` is PTR_TO_SOCKET_OR_NULL (`__sk_buff.sk`, `bpf_sock_addr.sk`…, the kernel makes some of
 * them PTR_TO_SOCK_COMMON_OR_NULL); `flow_keys` is PTR_TO_FLOW_KEYS.
 */
export type CtxFieldKind = 'scalar' | 'pkt_data' | 'pkt_end' | 'pkt_meta' | 'sock' | 'flow_keys';

/** One field of a context struct as the struct declares it. */
export interface CtxMember {
  readonly name: string;
  /** Byte offset in the struct. */
  readonly offset: number;
  /** Size in bytes of the whole member (an array member counts all its elements). */
  readonly size: number;
  /** Size of one element for array members (`cb[5]`, `remote_ip6[4]`); equals `size` otherwise. */
  readonly elem: number;
  readonly kind: CtxFieldKind;
}

/** A context struct: its C name, its size and its members in offset order. */
export interface CtxLayout {
  readonly struct: string;
  readonly size: number;
  readonly members: readonly CtxMember[];
}

type MemberDef = readonly [name: string, offset: number, size: number, elem?: number, kind?: CtxFieldKind];

function layout(struct: string, size: number, defs: readonly MemberDef[]): CtxLayout {
  const members = defs.map(([name, offset, sz, elem, kind]) => ({
    name,
    offset,
    size: sz,
    elem: elem ?? sz,
    kind: kind ?? 'scalar',
  }));
  return { struct, size, members };
}

/** `struct xdp_md`. */
export const XDP_MD = layout('xdp_md', 24, [
  ['data', 0, 4, 4, 'pkt_data'],
  ['data_end', 4, 4, 4, 'pkt_end'],
  ['data_meta', 8, 4, 4, 'pkt_meta'],
  ['ingress_ifindex', 12, 4],
  ['rx_queue_index', 16, 4],
  ['egress_ifindex', 20, 4],
]);

/** `struct __sk_buff`. */
export const SK_BUFF = layout('__sk_buff', 192, [
  ['len', 0, 4],
  ['pkt_type', 4, 4],
  ['mark', 8, 4],
  ['queue_mapping', 12, 4],
  ['protocol', 16, 4],
  ['vlan_present', 20, 4],
  ['vlan_tci', 24, 4],
  ['vlan_proto', 28, 4],
  ['priority', 32, 4],
  ['ingress_ifindex', 36, 4],
  ['ifindex', 40, 4],
  ['tc_index', 44, 4],
  ['cb', 48, 20, 4],
  ['hash', 68, 4],
  ['tc_classid', 72, 4],
  ['data', 76, 4, 4, 'pkt_data'],
  ['data_end', 80, 4, 4, 'pkt_end'],
  ['napi_id', 84, 4],
  ['family', 88, 4],
  ['remote_ip4', 92, 4],
  ['local_ip4', 96, 4],
  ['remote_ip6', 100, 16, 4],
  ['local_ip6', 116, 16, 4],
  ['remote_port', 132, 4],
  ['local_port', 136, 4],
  ['data_meta', 140, 4, 4, 'pkt_meta'],
  ['flow_keys', 144, 8, 8, 'flow_keys'],
  ['tstamp', 152, 8],
  ['wire_len', 160, 4],
  ['gso_segs', 164, 4],
  ['sk', 168, 8, 8, 'sock'],
  ['gso_size', 176, 4],
  ['tstamp_type', 180, 1],
  ['hwtstamp', 184, 8],
]);

/** `struct pt_regs` of x86-64 (what kprobes and perf events see): 21 registers of 8 bytes. */
export const PT_REGS = layout('pt_regs', 168, [
  'r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di',
  'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss',
].map((name, i): MemberDef => [name, i * 8, 8]));

/** `struct bpf_perf_event_data`: the sampled registers, the period and the address. */
export const PERF_EVENT_DATA = layout('bpf_perf_event_data', 184, [
  ['regs', 0, 168, 8],
  ['sample_period', 168, 8],
  ['addr', 176, 8],
]);

/** MAX_BPF_FUNC_ARGS: raw tracepoint, fentry/fexit and LSM contexts are arrays of u64 arguments. */
export const MAX_BPF_FUNC_ARGS = 12;

/** `struct bpf_raw_tracepoint_args` (and the u64 argument array of tracing and LSM programs). */
export const RAW_TP_ARGS = layout('bpf_raw_tracepoint_args', MAX_BPF_FUNC_ARGS * 8, [
  ['args', 0, MAX_BPF_FUNC_ARGS * 8, 8],
]);

/** PERF_MAX_TRACE_SIZE: the verifier's bound on a tracepoint record (the real record is checked at attach). */
export const PERF_MAX_TRACE_SIZE = 2048;

/** A tracepoint record (`struct trace_event_raw_*`): a common header then the event's fields. */
export const TRACEPOINT_RECORD = layout('trace_event_raw', PERF_MAX_TRACE_SIZE, [
  ['common_type', 0, 2],
  ['common_flags', 2, 1],
  ['common_preempt_count', 3, 1],
  ['common_pid', 4, 4],
]);

/** `struct bpf_sock_addr` (cgroup connect/bind/sendmsg/recvmsg hooks). */
export const SOCK_ADDR = layout('bpf_sock_addr', 72, [
  ['user_family', 0, 4],
  ['user_ip4', 4, 4],
  ['user_ip6', 8, 16, 4],
  ['user_port', 24, 4],
  ['family', 28, 4],
  ['type', 32, 4],
  ['protocol', 36, 4],
  ['msg_src_ip4', 40, 4],
  ['msg_src_ip6', 44, 16, 4],
  ['sk', 64, 8, 8, 'sock'],
]);

/** `struct bpf_sock` (cgroup sock create/release/post_bind hooks). */
export const SOCK = layout('bpf_sock', 80, [
  ['bound_dev_if', 0, 4],
  ['family', 4, 4],
  ['type', 8, 4],
  ['protocol', 12, 4],
  ['mark', 16, 4],
  ['priority', 20, 4],
  ['src_ip4', 24, 4],
  ['src_ip6', 28, 16, 4],
  ['src_port', 44, 4],
  ['dst_port', 48, 2],
  ['dst_ip4', 52, 4],
  ['dst_ip6', 56, 16, 4],
  ['state', 72, 4],
  ['rx_queue_mapping', 76, 4],
]);

/** `struct sk_msg_md` (sk_msg programs); data/data_end are 64-bit (`__bpf_md_ptr`). */
export const SK_MSG_MD = layout('sk_msg_md', 80, [
  ['data', 0, 8, 8, 'pkt_data'],
  ['data_end', 8, 8, 8, 'pkt_end'],
  ['family', 16, 4],
  ['remote_ip4', 20, 4],
  ['local_ip4', 24, 4],
  ['remote_ip6', 28, 16, 4],
  ['local_ip6', 44, 16, 4],
  ['remote_port', 60, 4],
  ['local_port', 64, 4],
  ['size', 68, 4],
  ['sk', 72, 8, 8, 'sock'],
]);

/** `struct bpf_sk_lookup` (sk_lookup programs). */
export const SK_LOOKUP = layout('bpf_sk_lookup', 72, [
  ['sk', 0, 8, 8, 'sock'],
  ['family', 8, 4],
  ['protocol', 12, 4],
  ['remote_ip4', 16, 4],
  ['remote_ip6', 20, 16, 4],
  ['remote_port', 36, 2],
  ['local_ip4', 40, 4],
  ['local_ip6', 44, 16, 4],
  ['local_port', 60, 4],
  ['ingress_ifindex', 64, 4],
]);

/**
 * `struct bpf_sock_ops`, the fields bpfhive gives a sock_ops program. The TCP statistics the kernel
 * also exposes between `state` and `sk` (snd_ssthresh, rcv_nxt, …) are not modelled: loads of them
 * are rejected.
 */
export const SOCK_OPS = layout('bpf_sock_ops', 216, [
  ['op', 0, 4],
  ['args', 4, 16, 4],
  ['family', 20, 4],
  ['remote_ip4', 24, 4],
  ['local_ip4', 28, 4],
  ['remote_ip6', 32, 16, 4],
  ['local_ip6', 48, 16, 4],
  ['remote_port', 64, 4],
  ['local_port', 68, 4],
  ['is_fullsock', 72, 4],
  ['snd_cwnd', 76, 4],
  ['srtt_us', 80, 4],
  ['bpf_sock_ops_cb_flags', 84, 4],
  ['state', 88, 4],
  ['sk', 184, 8, 8, 'sock'],
  ['skb_data', 192, 8, 8, 'pkt_data'],
  ['skb_data_end', 200, 8, 8, 'pkt_end'],
  ['skb_len', 208, 4],
  ['skb_tcp_flags', 212, 4],
]);

/** `struct bpf_cgroup_dev_ctx` (cgroup device programs). */
export const CGROUP_DEV_CTX = layout('bpf_cgroup_dev_ctx', 12, [
  ['access_type', 0, 4],
  ['major', 4, 4],
  ['minor', 8, 4],
]);

/** The member of `layout` that covers byte `offset`, if any. */
export function memberAt(ctx: CtxLayout, offset: number): CtxMember | undefined {
  return ctx.members.find((m) => offset >= m.offset && offset < m.offset + m.size);
}
