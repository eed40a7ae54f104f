// SPDX-License-Identifier: GPL-2.0
/*
 * Every way a BTF map definition can be written: map-in-map with an inner map template and
 * initial values, a program array filled with tail-call targets, a pinned map, map_flags,
 * numa_node, map_extra (bloom filter), key_size/value_size instead of types, and a ring
 * buffer whose size libbpf rounds up to a power-of-two number of pages.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_array SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 16);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__type(key, __u64);
		__type(value, __u32);
		__uint(max_entries, 128);
	});
} outer_hash SEC(".maps");

int tail_a(struct xdp_md *ctx);
int tail_b(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jump_table SEC(".maps") = {
	.values = { [0] = (void *)&tail_a, [1] = (void *)&tail_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, 8);
	__uint(value_size, 16);
	__uint(max_entries, 1000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(numa_node, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_sessions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u32);
	__uint(max_entries, 1000);
	__uint(map_extra, 3);
} seen_ips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 5000);
} small_ring SEC(".maps");

SEC("xdp")
int tail_a(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int tail_b(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	__u32 zero = 0, ip = 0;
	void *inner;
	__u64 *val;

	inner = bpf_map_lookup_elem(&outer_array, &zero);
	if (inner) {
		val = bpf_map_lookup_elem(inner, &zero);
		if (val)
			(*val)++;
	}
	bpf_map_push_elem(&seen_ips, &ip, BPF_ANY);
	bpf_tail_call(ctx, &jump_table, ctx->ingress_ifindex & 1);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
