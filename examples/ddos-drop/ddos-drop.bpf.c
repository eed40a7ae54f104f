// SPDX-License-Identifier: GPL-2.0
/*
 * ddos-drop: drop a flood by source prefix at XDP, before the kernel spends anything on it,
 * in the manner of Cloudflare's L4Drop. Operators (or an automatic mitigation system) insert
 * rules "drop packets from 203.0.113.0/24 (to UDP port 53)" into a longest-prefix-match trie;
 * the program looks up each packet's source address, checks the rule's optional protocol and
 * destination port, counts the hit against the rule and drops the packet. Everything else
 * passes.
 *
 * Maps (layouts in README.md):
 *   drop_v4     LPM_TRIE  struct lpm_v4_key -> struct drop_rule   IPv4 source prefixes
 *   drop_v6     LPM_TRIE  struct lpm_v6_key -> struct drop_rule   IPv6 source prefixes
 *   rule_stats  PERCPU_ARRAY  __u32 rule id -> struct rule_counter
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "net_parse.h"

#define MAX_RULES 1024

/* An LPM trie key: the number of leading bits that matter, then the address (network order). */
struct lpm_v4_key {
	__u32 prefixlen;
	__be32 addr;
};

struct lpm_v6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* What a matching prefix asks for. protocol 0 and dport 0 mean "any". */
struct drop_rule {
	__u32 id;		/* index into rule_stats, < MAX_RULES */
	__u8 protocol;		/* IPPROTO_TCP, IPPROTO_UDP, ... or 0 */
	__u8 pad;
	__be16 dport;		/* network order, or 0 */
};

struct rule_counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_v4_key);
	__type(value, struct drop_rule);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} drop_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_v6_key);
	__type(value, struct drop_rule);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} drop_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct rule_counter);
	__uint(max_entries, MAX_RULES);
} rule_stats SEC(".maps");

/* Whether the packet's L4 part is what the rule names; c points at the L4 header. */
static __always_inline int rule_matches_l4(const struct drop_rule *rule, int proto,
					   struct cursor *c, int has_l4)
{
	struct l4_ports *ports;

	if (rule->protocol && rule->protocol != proto)
		return 0;
	if (!rule->dport)
		return 1;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 0;
	if (!has_l4 || parse_ports(c, &ports) < 0)
		return 0;
	return ports->dest == rule->dport;
}

static __always_inline void count_hit(__u32 rule_id, __u64 bytes)
{
	struct rule_counter *cnt = bpf_map_lookup_elem(&rule_stats, &rule_id);

	if (!cnt)
		return;
	cnt->packets++;
	cnt->bytes += bytes;
}

SEC("xdp")
int xdp_ddos_drop(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct cursor c = { .pos = data, .end = data_end };
	struct drop_rule *rule;
	struct ipv6hdr *ip6h;
	struct ethhdr *eth;
	struct iphdr *iph;
	int eth_type, proto, has_l4;

	eth_type = parse_ethhdr(&c, &eth);
	if (eth_type == bpf_htons(ETH_P_IP)) {
		struct lpm_v4_key key = { .prefixlen = 32 };

		proto = parse_iphdr(&c, &iph);
		if (proto < 0)
			return XDP_PASS;
		key.addr = iph->saddr;
		rule = bpf_map_lookup_elem(&drop_v4, &key);
		has_l4 = !ip_is_later_fragment(iph);
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		struct lpm_v6_key key = { .prefixlen = 128 };

		proto = parse_ip6hdr(&c, &ip6h);
		if (proto < 0)
			return XDP_PASS;
		__builtin_memcpy(key.addr, &ip6h->saddr, sizeof(key.addr));
		rule = bpf_map_lookup_elem(&drop_v6, &key);
		has_l4 = 1;
	} else {
		return XDP_PASS;
	}

	if (!rule)
		return XDP_PASS;
	if (!rule_matches_l4(rule, proto, &c, has_l4))
		return XDP_PASS;
	count_hit(rule->id, data_end - data);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
