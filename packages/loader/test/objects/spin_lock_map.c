// SPDX-License-Identifier: GPL-2.0
/*
 * A struct bpf_spin_lock in a BTF-defined hash map's value, as programs write it: the lock's
 * offset comes from the map's BTF (map_check_btf), so the verifier accepts bpf_spin_lock and
 * bpf_spin_unlock on it, locally (`bpfhive verify`) as through the kernel-sim.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct counter {
	__u64 before;
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct counter);
} counters SEC(".maps");

SEC("tc")
int count(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct counter zero = {}, *c;
	__u64 now;

	c = bpf_map_lookup_elem(&counters, &key);
	if (!c) {
		bpf_map_update_elem(&counters, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counters, &key);
		if (!c)
			return -1;
	}
	bpf_spin_lock(&c->lock);
	now = ++c->count;
	bpf_spin_unlock(&c->lock);
	return now;
}

char LICENSE[] SEC("license") = "GPL";
