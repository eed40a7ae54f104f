// SPDX-License-Identifier: GPL-2.0
/*
 * opensnoop: every openat() on the machine with the file name asked for and the result (a
 * file descriptor or -errno), as BCC's libbpf-tools/opensnoop reports them.
 *
 * The result is only known when the call returns, and the name is best read once it is known
 * to be wanted, so the work is split over two tracepoints joined by the thread id:
 * sys_enter_openat remembers the user-space pointer to the name and the flags in a hash
 * map; sys_exit_openat takes them back, reads the name from the caller's memory and writes
 * one struct open_event to a ring buffer.
 *
 * Maps (layouts in README.md):
 *   start   HASH     __u32 thread id -> struct open_args, calls in flight
 *   events  RINGBUF  struct open_event records
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define TASK_COMM_LEN 16
#define NAME_LEN 256

/* 16 bytes. */
struct open_args {
	const char *fname;	/* a pointer into the caller's memory */
	__s32 flags;		/* O_RDONLY, O_CREAT, ... as passed */
	__u32 mode;
};

/* 304 bytes. Strings are NUL-terminated; bytes after the NUL are undefined. */
struct open_event {
	__u64 ts_ns;			/* bpf_ktime_get_ns() at return */
	__u32 pid;			/* tgid */
	__u32 tid;
	__u32 uid;
	__s32 ret;			/* the new fd, or -errno */
	__s32 flags;
	__u32 mode;
	char comm[TASK_COMM_LEN];
	char fname[NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct open_args);
	__uint(max_entries, 10240);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int tracepoint__syscalls__sys_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct open_args args = {};

	/* openat(int dfd, const char *filename, int flags, umode_t mode) */
	args.fname = (const char *)ctx->args[1];
	args.flags = (__s32)ctx->args[2];
	args.mode = (__u32)ctx->args[3];
	bpf_map_update_elem(&start, &tid, &args, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tracepoint__syscalls__sys_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct open_args *args;
	struct open_event *e;

	args = bpf_map_lookup_elem(&start, &tid);
	if (!args)
		return 0;	/* the entry was missed (the program was attached mid-call) */

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		goto cleanup;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = pid_tgid >> 32;
	e->tid = tid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = (__s32)ctx->ret;
	e->flags = args->flags;
	e->mode = args->mode;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_probe_read_user_str(e->fname, sizeof(e->fname), args->fname) < 0)
		e->fname[0] = '\0';
	bpf_ringbuf_submit(e, 0);

cleanup:
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
