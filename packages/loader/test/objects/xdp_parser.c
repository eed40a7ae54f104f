// SPDX-License-Identifier: GPL-2.0
/*
 * An XDP packet parser in the style of real load balancers and firewalls: Ethernet, optional
 * VLAN tag, IPv4, then UDP or TCP, with the bounds checks the verifier demands. Flows are
 * counted in an LRU hash; verdicts in a per-CPU array. Configuration is read from .rodata
 * (set before load), statistics go to .bss and .data.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define VLAN_HLEN 4

struct vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
	__uint(max_entries, 4096);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} verdicts SEC(".maps");

/* Set by the loader before the program is loaded. */
const volatile __u16 blocked_port = 0;
const volatile __u32 max_packet_len = 1514;

/* Statistics, read by user space. */
__u64 parsed_packets = 0;
__u64 malformed_packets = 0;
__u32 drop_reasons[4] = { 1, 2, 3, 4 };

static __always_inline int parse_eth(void *data, void *data_end, __u16 *proto, __u32 *off)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	*proto = eth->h_proto;
	*off = sizeof(*eth);
	if (*proto == bpf_htons(ETH_P_8021Q)) {
		struct vlan_hdr *vh = data + *off;

		if ((void *)(vh + 1) > data_end)
			return -1;
		*proto = vh->encapsulated_proto;
		*off += VLAN_HLEN;
	}
	return 0;
}

/* A static subprogram: verified with its caller's context. */
static __noinline int parse_ipv4(struct xdp_md *ctx, __u32 off, struct flow_key *key)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + off;

	if (off > 64 || (void *)(ip + 1) > data_end)
		return -1;
	if (ip->ihl != 5)
		return -1;
	key->saddr = ip->saddr;
	key->daddr = ip->daddr;
	key->proto = ip->protocol;
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) > data_end)
			return -1;
		key->sport = udp->source;
		key->dport = udp->dest;
	} else if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > data_end)
			return -1;
		key->sport = tcp->source;
		key->dport = tcp->dest;
	}
	return 0;
}

/* A global subprogram: verified on its own. */
__noinline int count_verdict(__u32 action)
{
	__u64 *count = bpf_map_lookup_elem(&verdicts, &action);

	if (!count)
		return 0;
	*count += 1;
	return 1;
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct flow_key key = {};
	struct flow_stats *stats, init = {};
	__u16 proto;
	__u32 off;
	__u64 len = data_end - data;

	if (len > max_packet_len) {
		drop_reasons[0]++;
		count_verdict(XDP_DROP);
		return XDP_DROP;
	}
	if (parse_eth(data, data_end, &proto, &off) < 0 || proto != bpf_htons(ETH_P_IP)) {
		malformed_packets++;
		count_verdict(XDP_PASS);
		return XDP_PASS;
	}
	if (parse_ipv4(ctx, off, &key) < 0) {
		malformed_packets++;
		return XDP_ABORTED;
	}
	parsed_packets++;
	if (blocked_port && key.dport == bpf_htons(blocked_port)) {
		drop_reasons[1]++;
		count_verdict(XDP_DROP);
		return XDP_DROP;
	}
	stats = bpf_map_lookup_elem(&flows, &key);
	if (!stats) {
		bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
		stats = bpf_map_lookup_elem(&flows, &key);
		if (!stats)
			return XDP_PASS;
	}
	__sync_fetch_and_add(&stats->packets, 1);
	__sync_fetch_and_add(&stats->bytes, len);
	count_verdict(XDP_PASS);
	return XDP_PASS;
}

SEC("xdp.frags")
int xdp_frags_pass(struct xdp_md *ctx)
{
	count_verdict(XDP_PASS);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
