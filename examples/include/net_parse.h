/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet parsing for the bpfhive networking examples (XDP and TC), in the style of the XDP
 * tutorial's parsing helpers: a cursor walks the headers, and every step checks the header it
 * is about to read against the end of the packet before touching it, which is what the
 * verifier demands of direct packet access.
 *
 * Each parse_* function returns a negative number when the header does not fit in the packet
 * (the caller then decides whether to pass or drop), and otherwise the next protocol: an
 * EtherType in network byte order after the Ethernet header, an IP protocol number after the
 * IP header.
 */
#ifndef BPFHIVE_EXAMPLES_NET_PARSE_H
#define BPFHIVE_EXAMPLES_NET_PARSE_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* The VLAN tags parse_ethhdr steps over (802.1Q and 802.1ad, so QinQ too). */
#define VLAN_MAX_DEPTH 2

/* include/net/ip.h: the fragment bits of iphdr.frag_off, in host byte order. */
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

/* An 802.1Q tag; the kernel's struct vlan_hdr is not part of the uAPI headers. */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

/* The first four bytes of a TCP or UDP header: the ports. */
struct l4_ports {
	__be16 source;
	__be16 dest;
};

/* Where parsing has got to in the packet, and where the packet ends. */
struct cursor {
	void *pos;
	void *end;
};

static __always_inline int proto_is_vlan(__u16 h_proto)
{
	return h_proto == bpf_htons(ETH_P_8021Q) || h_proto == bpf_htons(ETH_P_8021AD);
}

/* Steps over the Ethernet header and up to VLAN_MAX_DEPTH VLAN tags; returns the EtherType. */
static __always_inline int parse_ethhdr(struct cursor *c, struct ethhdr **ethp)
{
	struct ethhdr *eth = c->pos;
	struct vlan_hdr *vlh;
	__u16 h_proto;

	if ((void *)(eth + 1) > c->end)
		return -1;
	*ethp = eth;
	c->pos = eth + 1;
	h_proto = eth->h_proto;

#pragma unroll
	for (int i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (!proto_is_vlan(h_proto))
			break;
		vlh = c->pos;
		if ((void *)(vlh + 1) > c->end)
			return -1;
		h_proto = vlh->h_vlan_encapsulated_proto;
		c->pos = vlh + 1;
	}
	return h_proto;
}

/* Steps over an IPv4 header and its options; returns the IP protocol. */
static __always_inline int parse_iphdr(struct cursor *c, struct iphdr **iphp)
{
	struct iphdr *iph = c->pos;
	int hdrsize;

	if ((void *)(iph + 1) > c->end)
		return -1;
	hdrsize = iph->ihl * 4;
	if (hdrsize < (int)sizeof(*iph))
		return -1;
	if (c->pos + hdrsize > c->end)
		return -1;
	*iphp = iph;
	c->pos += hdrsize;
	return iph->protocol;
}

/* Steps over the fixed IPv6 header (extension headers are not walked); returns nexthdr. */
static __always_inline int parse_ip6hdr(struct cursor *c, struct ipv6hdr **ip6hp)
{
	struct ipv6hdr *ip6h = c->pos;

	if ((void *)(ip6h + 1) > c->end)
		return -1;
	*ip6hp = ip6h;
	c->pos = ip6h + 1;
	return ip6h->nexthdr;
}

/* Whether an IPv4 packet is a fragment other than the first, which carries no L4 header. */
static __always_inline int ip_is_later_fragment(const struct iphdr *iph)
{
	return (iph->frag_off & bpf_htons(IP_OFFSET)) != 0;
}

/* Reads the ports of a TCP or UDP header at the cursor; the cursor does not move. */
static __always_inline int parse_ports(struct cursor *c, struct l4_ports **portsp)
{
	struct l4_ports *ports = c->pos;

	if ((void *)(ports + 1) > c->end)
		return -1;
	*portsp = ports;
	return 0;
}

/* Steps over a TCP header and its options; returns the header's length in bytes. */
static __always_inline int parse_tcphdr(struct cursor *c, struct tcphdr **tcphp)
{
	struct tcphdr *tcph = c->pos;
	int len;

	if ((void *)(tcph + 1) > c->end)
		return -1;
	len = tcph->doff * 4;
	if (len < (int)sizeof(*tcph))
		return -1;
	if (c->pos + len > c->end)
		return -1;
	*tcphp = tcph;
	c->pos += len;
	return len;
}

#endif /* BPFHIVE_EXAMPLES_NET_PARSE_H */
