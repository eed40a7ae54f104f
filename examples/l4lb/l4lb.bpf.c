// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: a layer-4 load balancer in XDP, built the way Katran is.
 *
 * A virtual IP (VIP: address, port, protocol) is served by a pool of backends ("reals").
 * For each packet to a VIP the balancer:
 *   1. looks the flow's five-tuple up in an LRU connection table, so a connection stays on
 *      its backend even when the pool changes;
 *   2. on a miss, hashes the flow onto the VIP's consistent-hashing ring: RING_SIZE slots
 *      filled by user space with a Maglev-style permutation, so every backend owns about the
 *      same share of slots and a backend joining or leaving moves few flows; the slot names
 *      the backend, and the choice is remembered in the connection table;
 *   3. wraps the packet in an outer IPv4 header addressed to the backend (IP-in-IP): it grows
 *      the packet at the front with bpf_xdp_adjust_head, writes a new Ethernet header towards
 *      the gateway and the outer IP header, and sends it back out of the same device with
 *      XDP_TX. The backend decapsulates it and answers the client directly (direct server
 *      return), so replies never pass through the balancer.
 * Packets that are not for a VIP pass to the stack.
 *
 * Maps (layouts in README.md):
 *   vip_map       HASH          struct vip_key -> struct vip_meta
 *   ch_rings      ARRAY         vip_num * RING_SIZE + slot -> __u32 real index (0: empty)
 *   reals         ARRAY         __u32 real index -> struct real_definition
 *   conn_table    LRU_HASH      struct flow_key -> struct real_pos_lru
 *   ctl_array     ARRAY         0 -> struct lb_config
 *   vip_stats     PERCPU_ARRAY  vip_num -> struct lb_stats
 *   lb_counters   PERCPU_ARRAY  enum lb_counter -> __u64
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "net_parse.h"

#define MAX_VIPS 16
#define RING_SIZE 257		/* a prime, as Maglev needs (Katran uses 65537) */
#define MAX_REALS 256
#define HASH_SEED 0x4b617472	/* any constant; user space never recomputes the hash */
#define ENCAP_TTL 64

enum lb_counter {
	LB_CONN_HIT = 0,	/* packets whose flow was in conn_table */
	LB_CONN_MISS = 1,	/* new flows placed by the ring */
	LB_NO_BACKEND = 2,	/* VIP packets dropped: empty ring slot or unknown real */
	LB_ENCAP_FAILED = 3,	/* VIP packets dropped: the packet could not be grown */
	LB_COUNTER_MAX,
};

/* 8 bytes. */
struct vip_key {
	__be32 address;
	__be16 port;		/* network order */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
};

/* 8 bytes. */
struct vip_meta {
	__u32 flags;		/* reserved, 0 */
	__u32 vip_num;		/* < MAX_VIPS: which ring and which vip_stats slot */
};

/* 8 bytes. */
struct real_definition {
	__be32 address;		/* the backend's IPv4 address, the outer destination */
	__u32 flags;		/* reserved, 0 */
};

/* 16 bytes. */
struct flow_key {
	__be32 src;
	__be32 dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

/* 16 bytes. */
struct real_pos_lru {
	__u32 pos;		/* the real index */
	__u32 pad;
	__u64 atime;		/* bpf_ktime_get_ns() of the last packet */
};

/* 12 bytes, at index 0 of ctl_array. */
struct lb_config {
	__be32 encap_src;	/* the outer source address: the balancer's own */
	__u8 gw_mac[6];		/* the next hop towards the backends */
	__u8 pad[2];
};

struct lb_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct vip_key);
	__type(value, struct vip_meta);
	__uint(max_entries, 512);
} vip_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, MAX_VIPS * RING_SIZE);
} ch_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct real_definition);
	__uint(max_entries, MAX_REALS);
} reals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, struct real_pos_lru);
	__uint(max_entries, 16384);
} conn_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct lb_config);
	__uint(max_entries, 1);
} ctl_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct lb_stats);
	__uint(max_entries, MAX_VIPS);
} vip_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, LB_COUNTER_MAX);
} lb_counters SEC(".maps");

static __always_inline void count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&lb_counters, &counter);

	if (value)
		*value += 1;
}

static __always_inline __u32 rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> (32 - shift));
}

/*
 * Bob Jenkins' lookup3 hash of three words (public domain), the function the kernel calls
 * jhash_3words and Katran hashes flows with.
 */
static __always_inline __u32 jhash_3words(__u32 a, __u32 b, __u32 c, __u32 initval)
{
	a += 0xdeadbeef + (3 << 2) + initval;
	b += 0xdeadbeef + (3 << 2) + initval;
	c += 0xdeadbeef + (3 << 2) + initval;
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

/* The backend of a flow: the connection table's, else the ring's (then remembered). */
static __always_inline int pick_real(const struct flow_key *flow, __u32 vip_num, __u32 *real)
{
	struct real_pos_lru *known, fresh = {};
	__u32 ring_key, *slot;
	__u64 now = bpf_ktime_get_ns();

	known = bpf_map_lookup_elem(&conn_table, flow);
	if (known) {
		known->atime = now;
		*real = known->pos;
		count(LB_CONN_HIT);
		return 0;
	}

	ring_key = jhash_3words(flow->src, ((__u32)flow->sport << 16) | flow->dport, flow->proto,
				HASH_SEED) % RING_SIZE;
	ring_key += vip_num * RING_SIZE;
	slot = bpf_map_lookup_elem(&ch_rings, &ring_key);
	if (!slot || *slot == 0)
		return -1;
	fresh.pos = *slot;
	fresh.atime = now;
	bpf_map_update_elem(&conn_table, flow, &fresh, BPF_ANY);
	*real = fresh.pos;
	count(LB_CONN_MISS);
	return 0;
}

/* The IPv4 header checksum of a header without options, its check field already 0. */
static __always_inline __u16 ipv4_csum(const struct iphdr *iph)
{
	const __u16 *word = (const __u16 *)iph;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < (int)sizeof(*iph) / 2; i++)
		sum += word[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp")
int xdp_l4lb(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data, *new_eth;
	struct iphdr *iph = (void *)(eth + 1), *outer;
	struct real_definition *backend;
	struct l4_ports *ports;
	struct vip_key vip = {};
	struct flow_key flow = {};
	struct lb_config *cfg;
	struct vip_meta *meta;
	struct lb_stats *stats;
	__u8 lb_mac[ETH_ALEN];
	__u32 vip_num, real, zero = 0;
	__be16 inner_len;
	__u8 inner_tos;

	/* Untagged IPv4 only: the encapsulation below rewrites a plain Ethernet header. */
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (iph->ihl != 5 || (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
		return XDP_PASS;	/* options or fragments: not balanced, left to the stack */
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	ports = (void *)(iph + 1);
	if ((void *)(ports + 1) > data_end)
		return XDP_PASS;

	vip.address = iph->daddr;
	vip.port = ports->dest;
	vip.proto = iph->protocol;
	meta = bpf_map_lookup_elem(&vip_map, &vip);
	if (!meta)
		return XDP_PASS;
	vip_num = meta->vip_num;
	if (vip_num >= MAX_VIPS)
		return XDP_PASS;

	flow.src = iph->saddr;
	flow.dst = iph->daddr;
	flow.sport = ports->source;
	flow.dport = ports->dest;
	flow.proto = iph->protocol;
	if (pick_real(&flow, vip_num, &real) < 0) {
		count(LB_NO_BACKEND);
		return XDP_DROP;
	}
	backend = bpf_map_lookup_elem(&reals, &real);
	cfg = bpf_map_lookup_elem(&ctl_array, &zero);
	if (!backend || !cfg || !backend->address) {
		count(LB_NO_BACKEND);
		return XDP_DROP;
	}

	stats = bpf_map_lookup_elem(&vip_stats, &vip_num);
	if (stats) {
		stats->packets++;
		stats->bytes += data_end - data;
	}

	/* Everything needed from the old headers, before adjust_head invalidates the pointers. */
	__builtin_memcpy(lb_mac, eth->h_dest, ETH_ALEN);
	inner_len = iph->tot_len;
	inner_tos = iph->tos;

	if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct iphdr))) {
		count(LB_ENCAP_FAILED);
		return XDP_DROP;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	new_eth = data;
	outer = (void *)(new_eth + 1);
	if ((void *)(outer + 1) > data_end) {
		count(LB_ENCAP_FAILED);
		return XDP_DROP;
	}

	__builtin_memcpy(new_eth->h_dest, cfg->gw_mac, ETH_ALEN);
	__builtin_memcpy(new_eth->h_source, lb_mac, ETH_ALEN);
	new_eth->h_proto = bpf_htons(ETH_P_IP);

	outer->version = 4;
	outer->ihl = sizeof(*outer) / 4;
	outer->tos = inner_tos;
	outer->tot_len = bpf_htons(bpf_ntohs(inner_len) + sizeof(*outer));
	outer->id = 0;
	outer->frag_off = 0;
	outer->ttl = ENCAP_TTL;
	outer->protocol = IPPROTO_IPIP;
	outer->saddr = cfg->encap_src;
	outer->daddr = backend->address;
	outer->check = 0;
	outer->check = ipv4_csum(outer);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
