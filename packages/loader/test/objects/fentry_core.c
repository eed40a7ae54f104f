// SPDX-License-Identifier: GPL-2.0
/*
 * BTF-attached programs the way libbpf-tools write them: fentry and fexit on vfs_read and a BTF
 * tracepoint on sched_switch, reading the current task with CO-RE over common.h's own
 * task_struct, whose layout is not the kernel's: only relocation against the kernel's BTF makes
 * the reads land on the right fields.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "common.h"

struct seen {
	__u32 pid;
	__u32 tgid;
	__u32 ppid;
	__u32 pad;
	__u64 count;
	__s64 ret;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct seen);
} reads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} switches SEC(".maps");

static __always_inline struct seen *slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&reads, &zero);
}

SEC("fentry/vfs_read")
int BPF_PROG(read_entry, struct file *file, char *buf, unsigned long count, long long *pos)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct seen *s = slot();

	if (!s)
		return 0;
	s->pid = BPF_CORE_READ(task, pid);
	s->tgid = BPF_CORE_READ(task, tgid);
	s->ppid = BPF_CORE_READ(task, real_parent, tgid);
	s->count = count;
	bpf_core_read_str(s->comm, sizeof(s->comm), &task->comm);
	return 0;
}

SEC("fexit/vfs_read")
int BPF_PROG(read_exit, struct file *file, char *buf, unsigned long count, long long *pos, long ret)
{
	struct seen *s = slot();

	if (s)
		s->ret = ret;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&switches, &zero);

	if (n && BPF_CORE_READ(next, pid) != 0)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
