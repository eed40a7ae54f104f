// SPDX-License-Identifier: GPL-2.0
/*
 * The remaining tracing section forms of libbpf's table: the short `tp/` for a tracepoint,
 * the long `raw_tracepoint/` for a raw tracepoint, and user-space probes `uprobe/BINARY:FUNC`
 * and `uretprobe/BINARY:FUNC`. Each counts its hits in one slot of `hits`; the probes keep the
 * last argument and return value they saw.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

enum hit_slot { HIT_TP, HIT_RAW_TP, HIT_UPROBE, HIT_URETPROBE, HIT_SLOTS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HIT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* What the user-space probes saw last: readline's prompt pointer, and the line it returned. */
__u64 last_arg = 0;
__u64 last_ret = 0;

static __always_inline void hit(__u32 slot)
{
	__u64 *count = bpf_map_lookup_elem(&hits, &slot);

	if (count)
		__sync_fetch_and_add(count, 1);
}

SEC("tp/sched/sched_process_exec")
int on_exec(void *ctx)
{
	hit(HIT_TP);
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int on_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	/* args[1] is the system call number. */
	if (ctx->args[1] == 59)
		hit(HIT_RAW_TP);
	return 0;
}

SEC("uprobe//bin/bash:readline")
int on_readline(struct pt_regs *ctx)
{
	last_arg = ctx->rdi;
	hit(HIT_UPROBE);
	return 0;
}

SEC("uretprobe//bin/bash:readline")
int on_readline_ret(struct pt_regs *ctx)
{
	last_ret = ctx->rax;
	hit(HIT_URETPROBE);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
