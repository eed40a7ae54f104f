// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroup and socket-level programs: cgroup_skb ingress/egress accounting, a connect4 hook
 * that redirects a service address, sockops that put established sockets into a sockhash,
 * and an sk_msg verdict that redirects messages between those sockets.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct sock_key {
	__u32 sip;
	__u32 dip;
	__u32 sport;
	__u32 dport;
};

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__type(key, struct sock_key);
	__type(value, __u32);
	__uint(max_entries, 65535);
} sock_ops_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} cgroup_bytes SEC(".maps");

const volatile __u32 service_ip = 0x0a000001;	/* 10.0.0.1 */
const volatile __u32 backend_ip = 0x0a000102;	/* 10.0.1.2 */
const volatile __u16 service_port = 80;

static __always_inline int account(struct __sk_buff *skb, __u32 dir)
{
	__u64 *bytes = bpf_map_lookup_elem(&cgroup_bytes, &dir);

	if (bytes)
		__sync_fetch_and_add(bytes, skb->len);
	return 1;
}

SEC("cgroup_skb/ingress")
int count_ingress(struct __sk_buff *skb)
{
	return account(skb, 0);
}

SEC("cgroup_skb/egress")
int count_egress(struct __sk_buff *skb)
{
	return account(skb, 1);
}

SEC("cgroup/connect4")
int redirect_connect4(struct bpf_sock_addr *ctx)
{
	if (ctx->user_ip4 == bpf_htonl(service_ip) && ctx->user_port == bpf_htons(service_port))
		ctx->user_ip4 = bpf_htonl(backend_ip);
	return 1;
}

static __always_inline void sock_key_of(struct bpf_sock_ops *ops, struct sock_key *key)
{
	key->sip = ops->local_ip4;
	key->dip = ops->remote_ip4;
	key->sport = ops->local_port;
	key->dport = bpf_ntohl(ops->remote_port);
}

SEC("sockops")
int track_established(struct bpf_sock_ops *ops)
{
	struct sock_key key = {};

	switch (ops->op) {
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		sock_key_of(ops, &key);
		bpf_sock_hash_update(ops, &sock_ops_map, &key, BPF_NOEXIST);
		break;
	}
	return 1;
}

SEC("sk_msg")
int redirect_msg(struct sk_msg_md *msg)
{
	struct sock_key key = {
		.sip = msg->remote_ip4,
		.dip = msg->local_ip4,
		.sport = bpf_ntohl(msg->remote_port),
		.dport = msg->local_port,
	};

	return bpf_msg_redirect_hash(msg, &sock_ops_map, &key, BPF_F_INGRESS);
}

/* Loaded only when asked for: libbpf's "?" prefix. */
SEC("?cgroup/bind4")
int optional_bind4(struct bpf_sock_addr *ctx)
{
	return ctx->user_port == bpf_htons(22) ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
