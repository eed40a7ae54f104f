// SPDX-License-Identifier: GPL-2.0
/*
 * netpolicy: identity-based network policy at TC, as Cilium enforces it, with a flow log of
 * verdicts as Hubble shows it.
 *
 * Addresses are not what a policy talks about: workloads get a numeric security identity
 * (derived from their labels, e.g. app=frontend), and an ipcache maps every address or
 * prefix to the identity behind it. A packet is allowed when the policy map holds an entry
 * for (source identity, destination identity, destination port, protocol), or an L3-only
 * entry for the identity pair with port and protocol 0. Everything else is dropped: the
 * policy is default-deny. A small connection tracker remembers allowed flows, so replies
 * and later packets of an allowed flow pass without another policy lookup (and a policy
 * change applies to new flows).
 *
 * Every new allowed flow and every dropped packet is written to a ring buffer as a
 * struct flow_event: the flow log.
 *
 * Maps (layouts in README.md):
 *   ipcache      LPM_TRIE  struct ipcache_key -> __u32 identity
 *   policy       HASH      struct policy_key -> struct policy_value
 *   ct           LRU_HASH  struct ct_key -> struct ct_value
 *   flow_events  RINGBUF   struct flow_event records
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "net_parse.h"

/* Cilium's reserved identities: 0 unknown, 1 host, 2 world (anything outside the cluster). */
#define IDENTITY_WORLD 2

enum flow_verdict {
	FLOW_FORWARDED = 1,
	FLOW_DROPPED = 2,
};

enum flow_reason {
	REASON_POLICY_ALLOWED = 1,	/* a new flow matched a policy entry */
	REASON_POLICY_DENIED = 2,	/* no policy entry matched: default deny */
	REASON_MALFORMED = 3,		/* an IPv4 packet whose headers do not fit */
	REASON_UNSUPPORTED_L3 = 4,	/* IPv6: this example enforces IPv4 only and drops IPv6 */
};

struct ipcache_key {
	__u32 prefixlen;	/* 0..32 */
	__be32 addr;
};

/* 12 bytes. Port and protocol 0 make an L3-only entry: any port, any protocol. */
struct policy_key {
	__u32 src_identity;
	__u32 dst_identity;
	__be16 dport;
	__u8 protocol;
	__u8 pad;
};

/* 16 bytes, updated atomically: the packets of new flows this entry allowed. */
struct policy_value {
	__u64 packets;
	__u64 bytes;
};

/* 16 bytes: the five-tuple of the direction the flow was opened in. */
struct ct_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 protocol;
	__u8 pad[3];
};

/* 24 bytes. */
struct ct_value {
	__u64 created_ns;
	__u32 src_identity;
	__u32 dst_identity;
	__u64 packets;		/* both directions, updated atomically */
};

/* 40 bytes: one line of the flow log. */
struct flow_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__be32 saddr;
	__be32 daddr;
	__be16 sport;		/* 0 for ICMP and other protocols */
	__be16 dport;
	__u32 src_identity;
	__u32 dst_identity;
	__u32 ifindex;		/* the device the program runs on */
	__u8 protocol;
	__u8 verdict;		/* enum flow_verdict */
	__u8 reason;		/* enum flow_reason */
	__u8 pad[5];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct ipcache_key);
	__type(value, __u32);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} ipcache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct policy_key);
	__type(value, struct policy_value);
	__uint(max_entries, 16384);
} policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ct_key);
	__type(value, struct ct_value);
	__uint(max_entries, 65536);
} ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} flow_events SEC(".maps");

static __always_inline __u32 identity_of(__be32 addr)
{
	struct ipcache_key key = { .prefixlen = 32, .addr = addr };
	__u32 *identity = bpf_map_lookup_elem(&ipcache, &key);

	return identity ? *identity : IDENTITY_WORLD;
}

static __always_inline void emit_flow(struct __sk_buff *skb, const struct ct_key *tuple, __u32 src_id,
				      __u32 dst_id, __u8 verdict, __u8 reason)
{
	struct flow_event *e = bpf_ringbuf_reserve(&flow_events, sizeof(*e), 0);

	if (!e)
		return;
	e->ts_ns = bpf_ktime_get_ns();
	e->saddr = tuple->saddr;
	e->daddr = tuple->daddr;
	e->sport = tuple->sport;
	e->dport = tuple->dport;
	e->src_identity = src_id;
	e->dst_identity = dst_id;
	e->ifindex = skb->ifindex;
	e->protocol = tuple->protocol;
	e->verdict = verdict;
	e->reason = reason;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	bpf_ringbuf_submit(e, 0);
}

/* Whether the flow, in either direction, is one the policy already allowed. */
static __always_inline int ct_established(const struct ct_key *tuple)
{
	struct ct_key reverse = {
		.saddr = tuple->daddr,
		.daddr = tuple->saddr,
		.sport = tuple->dport,
		.dport = tuple->sport,
		.protocol = tuple->protocol,
	};
	struct ct_value *entry;

	entry = bpf_map_lookup_elem(&ct, tuple);
	if (!entry)
		entry = bpf_map_lookup_elem(&ct, &reverse);
	if (!entry)
		return 0;
	__sync_fetch_and_add(&entry->packets, 1);
	return 1;
}

SEC("tc")
int tc_netpolicy(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct cursor c = { .pos = data, .end = data_end };
	struct ct_key tuple = {};
	struct policy_key pkey = {};
	struct policy_value *allowed;
	struct l4_ports *ports;
	struct ethhdr *eth;
	struct iphdr *iph;
	int eth_type, proto;

	eth_type = parse_ethhdr(&c, &eth);
	if (eth_type == bpf_htons(ETH_P_IPV6)) {
		emit_flow(skb, &tuple, 0, 0, FLOW_DROPPED, REASON_UNSUPPORTED_L3);
		return TC_ACT_SHOT;
	}
	if (eth_type != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;	/* ARP and friends */

	proto = parse_iphdr(&c, &iph);
	if (proto < 0) {
		emit_flow(skb, &tuple, 0, 0, FLOW_DROPPED, REASON_MALFORMED);
		return TC_ACT_SHOT;
	}
	tuple.saddr = iph->saddr;
	tuple.daddr = iph->daddr;
	tuple.protocol = proto;
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && !ip_is_later_fragment(iph)) {
		if (parse_ports(&c, &ports) < 0) {
			emit_flow(skb, &tuple, 0, 0, FLOW_DROPPED, REASON_MALFORMED);
			return TC_ACT_SHOT;
		}
		tuple.sport = ports->source;
		tuple.dport = ports->dest;
	}

	if (ct_established(&tuple))
		return TC_ACT_OK;

	pkey.src_identity = identity_of(tuple.saddr);
	pkey.dst_identity = identity_of(tuple.daddr);
	pkey.dport = tuple.dport;
	pkey.protocol = tuple.protocol;
	allowed = bpf_map_lookup_elem(&policy, &pkey);
	if (!allowed) {
		pkey.dport = 0;
		pkey.protocol = 0;
		allowed = bpf_map_lookup_elem(&policy, &pkey);
	}
	if (!allowed) {
		emit_flow(skb, &tuple, pkey.src_identity, pkey.dst_identity, FLOW_DROPPED,
			  REASON_POLICY_DENIED);
		return TC_ACT_SHOT;
	}

	__sync_fetch_and_add(&allowed->packets, 1);
	__sync_fetch_and_add(&allowed->bytes, skb->len);
	{
		struct ct_value entry = {
			.created_ns = bpf_ktime_get_ns(),
			.src_identity = pkey.src_identity,
			.dst_identity = pkey.dst_identity,
			.packets = 1,
		};

		bpf_map_update_elem(&ct, &tuple, &entry, BPF_ANY);
	}
	emit_flow(skb, &tuple, pkey.src_identity, pkey.dst_identity, FLOW_FORWARDED,
		  REASON_POLICY_ALLOWED);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
