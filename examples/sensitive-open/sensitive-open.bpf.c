// SPDX-License-Identifier: GPL-2.0
/*
 * sensitive-open: a runtime-security rule in the manner of Falco's "Read sensitive file
 * untrusted" and Tracee's signatures: raise an alert when a process opens a file it has no
 * business with (/etc/shadow, /etc/sudoers and everything under /etc/sudoers.d/, ...).
 *
 * The program runs on syscalls/sys_enter_openat, reads the path the process asked for, and
 * looks it up in a rule list kept in an LPM trie over the path's bytes: a rule whose prefix
 * covers the path's terminating NUL matches that exact path, a shorter prefix matches every
 * path that starts with it. A rule may ask to fire only on opens for writing. Processes whose
 * comm is in the exempt map (a package manager, say) are never reported. Each alert is a
 * struct alert in a ring buffer, with who (pid, parent, uid, gid, comm), what (path, flags)
 * and which rule.
 *
 * The path is matched as given to openat, not resolved: a relative path, a symlink or a
 * "/etc//shadow" spelling does not match. Falco resolves paths in user space and Tracee
 * hooks security_file_open for that reason; this example keeps to the syscall.
 *
 * Maps (layouts in README.md):
 *   rules   LPM_TRIE  struct path_rule_key -> struct path_rule
 *   exempt  HASH      char[16] comm -> __u32 (any value)
 *   alerts  RINGBUF   struct alert records
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define TASK_COMM_LEN 16
#define PATH_LEN 128

/* include/uapi/asm-generic/fcntl.h */
#define O_ACCMODE 00000003
#define O_RDONLY 00000000

/* struct path_rule.flags */
#define RULE_F_WRITE_ONLY 0x1	/* fire only when the file is opened for writing */

/* 132 bytes: prefixlen counts bits of path (at most 1024). */
struct path_rule_key {
	__u32 prefixlen;
	char path[PATH_LEN];	/* NUL-terminated, zero-padded */
};

/* 8 bytes. */
struct path_rule {
	__u32 id;		/* reported in the alert */
	__u32 flags;		/* RULE_F_* */
};

/* 176 bytes. */
struct alert {
	__u64 ts_ns;			/* bpf_ktime_get_ns() */
	__u32 pid;			/* tgid */
	__u32 ppid;			/* the parent's tgid */
	__u32 uid;
	__u32 gid;
	__u32 rule_id;
	__s32 flags;			/* openat's flags */
	char comm[TASK_COMM_LEN];
	char path[PATH_LEN];		/* as passed, NUL-terminated, cut at 127 bytes */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct path_rule_key);
	__type(value, struct path_rule);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, char[TASK_COMM_LEN]);
	__type(value, __u32);
	__uint(max_entries, 64);
} exempt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} alerts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int sensitive_openat(struct trace_event_raw_sys_enter *ctx)
{
	const char *filename = (const char *)ctx->args[1];
	int flags = (int)ctx->args[2];
	struct path_rule_key key = {};
	char comm[TASK_COMM_LEN] = {};
	struct task_struct *task;
	struct path_rule *rule;
	struct alert *a;
	__u64 uid_gid;

	if (bpf_probe_read_user_str(key.path, sizeof(key.path), filename) <= 0)
		return 0;
	key.prefixlen = PATH_LEN * 8;
	rule = bpf_map_lookup_elem(&rules, &key);
	if (!rule)
		return 0;
	if ((rule->flags & RULE_F_WRITE_ONLY) && (flags & O_ACCMODE) == O_RDONLY)
		return 0;

	bpf_get_current_comm(comm, sizeof(comm));
	if (bpf_map_lookup_elem(&exempt, comm))
		return 0;

	a = bpf_ringbuf_reserve(&alerts, sizeof(*a), 0);
	if (!a)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	uid_gid = bpf_get_current_uid_gid();
	a->ts_ns = bpf_ktime_get_ns();
	a->pid = bpf_get_current_pid_tgid() >> 32;
	a->ppid = BPF_CORE_READ(task, real_parent, tgid);
	a->uid = (__u32)uid_gid;
	a->gid = uid_gid >> 32;
	a->rule_id = rule->id;
	a->flags = flags;
	__builtin_memcpy(a->comm, comm, sizeof(a->comm));
	__builtin_memcpy(a->path, key.path, sizeof(a->path));
	bpf_ringbuf_submit(a, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
