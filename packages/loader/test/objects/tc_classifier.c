// SPDX-License-Identifier: GPL-2.0
/*
 * TC programs: a classifier that marks and counts packets per protocol, its tcx flavours,
 * and configuration in custom data sections (.rodata.cfg, .data.counters), which libbpf
 * turns into maps of their own.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u8);
	__type(value, __u64);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} proto_counts SEC(".maps");

const volatile __u32 mark_value SEC(".rodata.cfg") = 0x42;
const volatile __u32 drop_proto SEC(".rodata.cfg") = IPPROTO_ICMP;
__u64 ingress_packets SEC(".data.counters") = 0;
__u64 egress_packets SEC(".data.counters") = 100;

static __always_inline __u8 ip_proto(struct __sk_buff *skb)
{
	__u8 proto = 0;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + offsetof(struct iphdr, protocol), &proto, 1) < 0)
		return 0;
	return proto;
}

static __always_inline void count(__u8 proto)
{
	__u64 one = 1, *val;

	val = bpf_map_lookup_elem(&proto_counts, &proto);
	if (val)
		__sync_fetch_and_add(val, 1);
	else
		bpf_map_update_elem(&proto_counts, &proto, &one, BPF_NOEXIST);
}

/* Global but hidden: libbpf marks its BTF FUNC static, so the verifier checks it in context. */
__hidden __noinline int is_dropped(__u8 proto)
{
	return proto && proto == drop_proto;
}

SEC("tc")
int classify(struct __sk_buff *skb)
{
	__u8 proto = ip_proto(skb);

	count(proto);
	if (is_dropped(proto))
		return TC_ACT_SHOT;
	skb->mark = mark_value;
	return TC_ACT_OK;
}

SEC("tcx/ingress")
int tcx_ingress(struct __sk_buff *skb)
{
	ingress_packets++;
	return TC_ACT_UNSPEC;
}

SEC("tcx/egress")
int tcx_egress(struct __sk_buff *skb)
{
	egress_packets++;
	return skb->len > 9000 ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

SEC("classifier")
int legacy_classifier(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
