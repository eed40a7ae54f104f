// SPDX-License-Identifier: GPL-2.0
/*
 * pktcount: packets and bytes per IP protocol, counted at XDP, the earliest point a driver
 * hands a frame to the kernel. The first program of the XDP tutorial and of most XDP
 * introductions: parse Ethernet (and VLAN tags), then IPv4 or IPv6, and bump a per-CPU
 * counter indexed by the protocol number. Every frame is passed on unchanged.
 *
 * Map proto_stats: PERCPU_ARRAY, 256 entries, key __u32 IP protocol number (IPv4 protocol or
 * IPv6 next header: 1 ICMP, 6 TCP, 17 UDP, 58 ICMPv6, ...), value struct datarec per CPU.
 * Frames that are not IP are not counted.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "net_parse.h"

/* The value of proto_stats: 16 bytes, one copy per CPU; user space adds the copies up. */
struct datarec {
	__u64 packets;
	__u64 bytes;	/* whole frames, Ethernet header included */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, 256);
} proto_stats SEC(".maps");

SEC("xdp")
int xdp_pktcount(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct cursor c = { .pos = data, .end = data_end };
	struct ipv6hdr *ip6h;
	struct datarec *rec;
	struct ethhdr *eth;
	struct iphdr *iph;
	int eth_type, proto;
	__u32 key;

	eth_type = parse_ethhdr(&c, &eth);
	if (eth_type == bpf_htons(ETH_P_IP))
		proto = parse_iphdr(&c, &iph);
	else if (eth_type == bpf_htons(ETH_P_IPV6))
		proto = parse_ip6hdr(&c, &ip6h);
	else
		return XDP_PASS;
	if (proto < 0)
		return XDP_PASS;

	key = proto;
	rec = bpf_map_lookup_elem(&proto_stats, &key);
	if (!rec)
		return XDP_PASS;
	/* A per-CPU slot: no other CPU writes it, so plain increments are enough. */
	rec->packets++;
	rec->bytes += data_end - data;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
