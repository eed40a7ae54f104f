// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel structs read by plain loads, as libbpf-tools write BTF-attached programs: a BTF
 * tracepoint on sched_switch reads next->pid, next->tgid, next->real_parent->tgid and prev->pid
 * straight out of the task_structs it is given (trusted PTR_TO_BTF_ID arguments, walked by the
 * verifier), and an fentry on vfs_read follows file->f_path.dentry->d_name.name to the name it
 * copies with bpf_probe_read_kernel_str. The structs below hold only the fields used, marked
 * preserve_access_index as vmlinux.h marks them: the loader relocates every offset against the
 * kernel's BTF. Built by build.sh; verified and run in the kernel-sim by the loader's
 * test/tp-btf-walk-nats.test.ts.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct task_struct {
	unsigned int __state;
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
};

struct qstr {
	union {
		struct {
			__u32 hash;
			__u32 len;
		};
		__u64 hash_len;
	};
	const unsigned char *name;
};

struct dentry {
	struct qstr d_name;
};

struct path {
	struct dentry *dentry;
};

struct file {
	struct path f_path;
};
#pragma clang attribute pop

struct switch_seen {
	__u32 next_pid;
	__u32 next_tgid;
	__u32 parent_tgid;
	__u32 prev_pid;
	__u64 prev_state;
	__u64 switches;
	char next_comm[16];
};

struct read_seen {
	__u32 len;
	__u32 reads;
	char name[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct switch_seen);
} switches SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct read_seen);
} reads SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
{
	__u32 zero = 0;
	struct switch_seen *s = bpf_map_lookup_elem(&switches, &zero);

	if (!s || next->pid == 0)
		return 0;
	s->next_pid = next->pid;
	s->next_tgid = next->tgid;
	s->parent_tgid = next->real_parent->tgid;
	s->prev_pid = prev->pid;
	s->prev_state = prev_state;
	s->switches++;
	bpf_probe_read_kernel_str(s->next_comm, sizeof(s->next_comm), next->comm);
	return 0;
}

SEC("fentry/vfs_read")
int BPF_PROG(on_read, struct file *file)
{
	__u32 zero = 0;
	struct read_seen *r = bpf_map_lookup_elem(&reads, &zero);
	struct dentry *dentry = file->f_path.dentry;

	if (!r)
		return 0;
	r->len = dentry->d_name.len;
	r->reads++;
	bpf_probe_read_kernel_str(r->name, sizeof(r->name), dentry->d_name.name);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
