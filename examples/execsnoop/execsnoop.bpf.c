// SPDX-License-Identifier: GPL-2.0
/*
 * execsnoop: every execve() on the machine, with the process that made it, the program it
 * runs and its first arguments, as BCC's libbpf-tools/execsnoop reports them.
 *
 * The program runs on the syscalls/sys_enter_execve tracepoint, so it sees the call before
 * the kernel replaces the process image: the comm is still the caller's, and the filename
 * and argv are read from the caller's memory with bpf_probe_read_user(_str). The parent's
 * pid is read from the task_struct with CO-RE. Each call becomes one struct exec_event in a
 * ring buffer; failed calls are reported too (the result is not known yet at entry).
 *
 * Map events: RINGBUF, 256 KiB of struct exec_event records (layout in README.md).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define TASK_COMM_LEN 16
#define FILENAME_LEN 128
#define MAX_ARGS 6
#define ARG_LEN 64

/* 552 bytes. Strings are NUL-terminated; bytes after the NUL are undefined. */
struct exec_event {
	__u64 ts_ns;			/* bpf_ktime_get_ns() at entry */
	__u32 pid;			/* the caller's tgid */
	__u32 ppid;			/* its parent's tgid */
	__u32 uid;
	__u32 argc;			/* args[] entries filled, <= MAX_ARGS */
	char comm[TASK_COMM_LEN];	/* the caller's comm, before the exec */
	char filename[FILENAME_LEN];	/* execve's first argument */
	char args[MAX_ARGS][ARG_LEN];	/* argv[0], argv[1], ... */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int tracepoint__syscalls__sys_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const char *const *argv = (const char *const *)ctx->args[1];
	const char *filename = (const char *)ctx->args[0];
	struct exec_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;

	e->ts_ns = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->argc = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_probe_read_user_str(e->filename, sizeof(e->filename), filename) < 0)
		e->filename[0] = '\0';

#pragma unroll
	for (int i = 0; i < MAX_ARGS; i++) {
		const char *arg = NULL;

		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			break;
		if (bpf_probe_read_user_str(e->args[i], ARG_LEN, arg) < 0)
			break;
		e->argc++;
	}

	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
