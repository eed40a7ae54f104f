// SPDX-License-Identifier: GPL-2.0
/*
 * kubeproxy: Kubernetes service load balancing at connect() time, as Cilium's socket-level
 * load balancer does it in place of kube-proxy's iptables rules.
 *
 * When a process in the cgroup calls connect() on a service address (a ClusterIP and port),
 * the program picks one of the service's backends at random and rewrites the address the
 * socket connects to. The packets then go straight to the backend: nothing is translated per
 * packet, and there is no conntrack entry to keep.
 *
 * The services map holds two kinds of entries under the same key layout, as Cilium's lb4
 * services map does: the service itself at backend_slot 0 (whose count says how many
 * backends it has), and one entry per backend at slots 1..count naming the backend's id. The
 * backends map turns an id into an address and port.
 *
 * Maps (layouts in README.md):
 *   services  HASH          struct svc_key -> struct svc_value
 *   backends  HASH          __u32 backend id -> struct backend
 *   lb_stats  PERCPU_ARRAY  __u32 counter index -> __u64
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2

/* The return values of cgroup sock_addr programs. */
#define SYS_REJECT 0	/* connect() fails with EPERM */
#define SYS_PROCEED 1

enum lb_counter {
	LB_TRANSLATED = 0,	/* connects rewritten to a backend */
	LB_NO_BACKEND = 1,	/* connects to a service with no usable backend, refused */
	LB_COUNTER_MAX,
};

/* 12 bytes. */
struct svc_key {
	__be32 address;		/* the service's ClusterIP */
	__be16 dport;		/* the service's port, network order */
	__u16 backend_slot;	/* 0: the service entry; 1..count: its backends */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad[3];
};

/* 8 bytes. */
struct svc_value {
	__u32 backend_id;	/* slot entries: the backend; the service entry: 0 */
	__u16 count;		/* the service entry: number of backend slots; slot entries: 0 */
	__u16 rev_nat_index;	/* the service's number, for reverse translation in user space */
};

/* 8 bytes. */
struct backend {
	__be32 address;
	__be16 port;		/* network order */
	__u8 proto;
	__u8 flags;		/* reserved, 0 */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct svc_key);
	__type(value, struct svc_value);
	__uint(max_entries, 65536);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct backend);
	__uint(max_entries, 65536);
} backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, LB_COUNTER_MAX);
} lb_stats SEC(".maps");

static __always_inline void count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&lb_stats, &counter);

	if (value)
		*value += 1;
}

SEC("cgroup/connect4")
int sock4_connect(struct bpf_sock_addr *ctx)
{
	struct svc_key key = {};
	struct svc_value *svc, *slot;
	struct backend *be;
	__u32 proto;

	if (ctx->user_family != AF_INET)
		return SYS_PROCEED;
	proto = ctx->protocol;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return SYS_PROCEED;

	key.address = ctx->user_ip4;
	key.dport = (__be16)ctx->user_port;
	key.proto = proto;
	svc = bpf_map_lookup_elem(&services, &key);
	if (!svc)
		return SYS_PROCEED;	/* not a service address: leave it alone */
	if (svc->count == 0) {
		count(LB_NO_BACKEND);
		return SYS_REJECT;
	}

	key.backend_slot = (bpf_get_prandom_u32() % svc->count) + 1;
	slot = bpf_map_lookup_elem(&services, &key);
	if (!slot) {
		count(LB_NO_BACKEND);
		return SYS_REJECT;
	}
	be = bpf_map_lookup_elem(&backends, &slot->backend_id);
	if (!be) {
		count(LB_NO_BACKEND);
		return SYS_REJECT;
	}

	ctx->user_ip4 = be->address;
	ctx->user_port = be->port;
	count(LB_TRANSLATED);
	return SYS_PROCEED;
}

char LICENSE[] SEC("license") = "GPL";
