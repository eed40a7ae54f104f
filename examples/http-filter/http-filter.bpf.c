// SPDX-License-Identifier: GPL-2.0
/*
 * http-filter: an L7 allow-list at TC ingress. Every TCP segment to port 80 that carries data
 * must begin with an HTTP request line ("GET /api/items HTTP/1.1") whose method and path
 * match a rule; anything else sent to port 80 is dropped. Segments without data (the
 * handshake, bare ACKs, FIN) and other traffic pass untouched.
 *
 * Rules live in an LPM trie over the bytes "method, NUL-padded to 8" + "path, NUL-padded to
 * 56", so one lookup finds the longest matching rule: a rule covering the method and the
 * first five path bytes ("GET" + "/api/") allows every GET under /api/; a rule whose prefix
 * also covers the NUL after the path allows that exact path only.
 *
 * Maps (layouts in README.md):
 *   http_rules     LPM_TRIE      struct http_rule_key -> struct http_rule_stats
 *   http_verdicts  PERCPU_ARRAY  __u32 verdict (0 allowed, 1 dropped) -> struct verdict_count
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "net_parse.h"

#define HTTP_PORT 80
#define METHOD_LEN 8
#define PATH_LEN 56

enum verdict {
	VERDICT_ALLOWED = 0,
	VERDICT_DROPPED = 1,
	VERDICT_MAX,
};

/* 68 bytes: prefixlen counts bits of method and path together (at most 512). */
struct http_rule_key {
	__u32 prefixlen;
	char method[METHOD_LEN];	/* "GET", "POST", ... NUL-padded */
	char path[PATH_LEN];		/* up to ' ' or '?', NUL-padded, cut at 56 bytes */
};

/* Per rule: the requests it let through, updated atomically by every CPU. */
struct http_rule_stats {
	__u64 requests;
	__u64 bytes;
};

struct verdict_count {
	__u64 requests;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct http_rule_key);
	__type(value, struct http_rule_stats);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} http_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct verdict_count);
	__uint(max_entries, VERDICT_MAX);
} http_verdicts SEC(".maps");

/*
 * Reads "METHOD SP PATH" from the start of the payload into key. The method is 1 to 8
 * upper-case letters followed by a space; the path runs up to a space or '?' and only its
 * first PATH_LEN bytes are kept. Returns 0, or -1 when the payload is not a request line.
 */
static __always_inline int read_request_line(unsigned char *p, void *end, struct http_rule_key *key)
{
	unsigned char *path;
	int mlen = -1;

#pragma unroll
	for (int i = 0; i <= METHOD_LEN; i++) {
		if ((void *)(p + i + 1) > end)
			return -1;
		if (p[i] == ' ') {
			mlen = i;
			break;
		}
		if (i == METHOD_LEN || p[i] < 'A' || p[i] > 'Z')
			return -1;
		key->method[i] = p[i];
	}
	if (mlen <= 0)
		return -1;

	path = p + mlen + 1;
#pragma unroll
	for (int i = 0; i < PATH_LEN; i++) {
		if ((void *)(path + i + 1) > end)
			return -1;
		if (path[i] == ' ' || path[i] == '?')
			return 0;
		if (path[i] <= ' ' || path[i] > '~')
			return -1;
		key->path[i] = path[i];
	}
	return 0;
}

static __always_inline void count_verdict(__u32 verdict, __u64 bytes)
{
	struct verdict_count *cnt = bpf_map_lookup_elem(&http_verdicts, &verdict);

	if (!cnt)
		return;
	cnt->requests++;
	cnt->bytes += bytes;
}

SEC("tc")
int tc_http_filter(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct cursor c = { .pos = data, .end = data_end };
	struct http_rule_key key = {};
	struct http_rule_stats *rule;
	struct ipv6hdr *ip6h;
	struct tcphdr *tcph;
	struct ethhdr *eth;
	struct iphdr *iph;
	int eth_type, proto;
	__u32 l4_len;		/* TCP header and payload, as the IP header counts them */
	__u64 bytes;

	eth_type = parse_ethhdr(&c, &eth);
	if (eth_type == bpf_htons(ETH_P_IP)) {
		proto = parse_iphdr(&c, &iph);
		if (proto == IPPROTO_TCP && ip_is_later_fragment(iph))
			return TC_ACT_SHOT;	/* a request may not hide in a later fragment */
		if (proto == IPPROTO_TCP && bpf_ntohs(iph->tot_len) < iph->ihl * 4)
			return TC_ACT_SHOT;	/* a total length shorter than the header */
		l4_len = proto < 0 ? 0 : bpf_ntohs(iph->tot_len) - iph->ihl * 4;
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		proto = parse_ip6hdr(&c, &ip6h);
		l4_len = proto < 0 ? 0 : bpf_ntohs(ip6h->payload_len);
	} else {
		return TC_ACT_OK;
	}
	if (proto != IPPROTO_TCP)
		return TC_ACT_OK;

	if (parse_tcphdr(&c, &tcph) < 0)
		return TC_ACT_SHOT;
	if (tcph->dest != bpf_htons(HTTP_PORT))
		return TC_ACT_OK;
	/*
	 * No payload (the handshake, ACKs, FIN) passes. The IP length says, not data_end: at TC
	 * ingress a minimum-size frame still carries its Ethernet padding.
	 */
	if (c.pos >= c.end || l4_len <= (__u32)tcph->doff * 4)
		return TC_ACT_OK;

	bytes = skb->len;
	if (read_request_line(c.pos, c.end, &key) < 0) {
		count_verdict(VERDICT_DROPPED, bytes);
		return TC_ACT_SHOT;
	}
	key.prefixlen = (METHOD_LEN + PATH_LEN) * 8;
	rule = bpf_map_lookup_elem(&http_rules, &key);
	if (!rule) {
		count_verdict(VERDICT_DROPPED, bytes);
		return TC_ACT_SHOT;
	}
	__sync_fetch_and_add(&rule->requests, 1);
	__sync_fetch_and_add(&rule->bytes, bytes);
	count_verdict(VERDICT_ALLOWED, bytes);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
