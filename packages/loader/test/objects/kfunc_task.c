// SPDX-License-Identifier: GPL-2.0
/*
 * kfuncs, a typed ksym and a kptr the way kernel selftests write them: a SYSCALL program
 * (BPF_PROG_TEST_RUN with a context of its own) finds a task by pid with bpf_task_from_pid,
 * takes a second reference with bpf_task_acquire, reads the task through CO-RE, releases both,
 * and reads this CPU's copy of the per-CPU kernel variable bpf_prog_active. A second program
 * (not loaded by default, `?syscall`) keeps a task in a map as a referenced kptr with
 * bpf_kptr_xchg, releasing the one it displaces.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "common.h"

#define __kptr __attribute__((btf_type_tag("kptr")))

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern const int bpf_prog_active __ksym;

/* The context user space passes to find_task and reads back. */
struct find_args {
	__s32 pid;
	__s32 seen_pid;
	__s32 seen_tgid;
	__s32 prog_active;
};

struct task_slot {
	struct task_struct __kptr *task;
	__u64 stored;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct task_slot);
} task_slots SEC(".maps");

SEC("syscall")
int find_task(struct find_args *args)
{
	struct task_struct *task, *again;
	const int *active;

	task = bpf_task_from_pid(args->pid);
	if (!task)
		return -1;
	again = bpf_task_acquire(task);
	if (!again) {
		bpf_task_release(task);
		return -2;
	}
	args->seen_pid = again->pid;
	args->seen_tgid = again->tgid;
	bpf_task_release(again);
	bpf_task_release(task);

	active = bpf_this_cpu_ptr(&bpf_prog_active);
	args->prog_active = *active;
	return 0;
}

SEC("?syscall")
int stash_task(struct find_args *args)
{
	struct task_struct *task, *old;
	struct task_slot *slot;
	__u32 zero = 0;

	slot = bpf_map_lookup_elem(&task_slots, &zero);
	if (!slot)
		return -1;
	task = bpf_task_from_pid(args->pid);
	if (!task)
		return -2;
	old = bpf_kptr_xchg(&slot->task, task);
	slot->stored++;
	if (old)
		bpf_task_release(old);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
