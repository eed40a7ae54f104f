// SPDX-License-Identifier: GPL-2.0
/*
 * syscount: how many system calls of each kind the machine makes, or how many each process
 * makes, as BCC's libbpf-tools/syscount counts them.
 *
 * The program runs on raw_syscalls/sys_enter, the one tracepoint every system call passes
 * through, whose record carries the syscall number. The counts are kept in a hash map, keyed
 * by the syscall number, or by the process (tgid) when count_by_process is set. User space
 * reads the map, sorts, and prints a top-N table with syscall names.
 *
 * Options, in .rodata as libbpf-tools' options are, set by the loader before the program is
 * loaded (the verifier then sees them as constants and prunes the dead branch):
 *   filter_tgid       count only this process; 0: every process
 *   count_by_process  key by tgid instead of by syscall number
 *
 * Map counts: HASH __u32 (syscall number or tgid) -> struct syscount_value (README.md).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define TASK_COMM_LEN 16
#define MAX_ENTRIES 10240

const volatile __u32 filter_tgid = 0;
const volatile bool count_by_process = false;

/* 24 bytes. */
struct syscount_value {
	__u64 count;			/* updated atomically */
	char comm[TASK_COMM_LEN];	/* by process: the comm when first seen; by syscall: zeros */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct syscount_value);
	__uint(max_entries, MAX_ENTRIES);
} counts SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter(struct trace_event_raw_sys_enter *args)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct syscount_value *value;
	long id = args->id;
	__u32 key;

	if (filter_tgid && tgid != filter_tgid)
		return 0;
	if (id < 0)
		return 0;	/* -1: a call a tracer or seccomp cancelled */

	key = count_by_process ? tgid : (__u32)id;
	value = bpf_map_lookup_elem(&counts, &key);
	if (!value) {
		struct syscount_value zero = {};

		if (count_by_process)
			bpf_get_current_comm(zero.comm, sizeof(zero.comm));
		/* NOEXIST: if another CPU created it meanwhile, keep theirs. */
		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		value = bpf_map_lookup_elem(&counts, &key);
		if (!value)
			return 0;	/* the map is full */
	}
	__sync_fetch_and_add(&value->count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
