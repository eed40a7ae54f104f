// SPDX-License-Identifier: GPL-2.0
/*
 * A broken object: it calls a kfunc no kernel has, as a strong extern, so loading it fails
 * before anything is created, naming the function; a weak one nothing resolves is poisoned.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_no_such_kfunc(int x) __ksym;
extern int bpf_maybe_kfunc(int x) __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("syscall")
int call_unknown(int *ctx)
{
	__u32 key = *ctx & 3;
	__u64 *count = bpf_map_lookup_elem(&counts, &key);
	__u64 now = bpf_ktime_get_ns();

	if (!count)
		return -1;
	*count += now & 0xff;
	return bpf_no_such_kfunc(*ctx) + bpf_maybe_kfunc((int)*count) + (int)bpf_get_prandom_u32();
}

char LICENSE[] SEC("license") = "GPL";
