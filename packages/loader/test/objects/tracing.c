// SPDX-License-Identifier: GPL-2.0
/*
 * Tracing programs the way libbpf-tools write them: kprobe/kretprobe, a tracepoint, a raw
 * tracepoint, a BTF tracepoint, fentry/fexit, an LSM hook, a perf_event sampler and a ksyscall
 * probe, sharing a ring buffer. Kernel structs are read with CO-RE (BPF_CORE_READ over common.h's own
 * task_struct), Kconfig values come from .kconfig externs, kernel symbols and kfuncs from __ksym.
 */
#define __TARGET_ARCH_x86
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "common.h"

#define TASK_COMM_LEN 16

struct event {
	__u32 pid;
	__u32 ppid;
	__u64 duration_ns;
	__s64 ret;
	char comm[TASK_COMM_LEN];
	__u8 kind;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 10240);
} start_ns SEC(".maps");

/* Kconfig, resolved by the loader. */
extern __u32 LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_NF_CONNTRACK __kconfig __weak;

/* A kernel variable and kernel functions (kfuncs), resolved through the kernel's BTF. */
extern const int bpf_prog_active __ksym;
extern void bpf_rcu_read_lock(void) __ksym __weak;
extern void bpf_rcu_read_unlock(void) __ksym __weak;

const volatile __u32 target_tgid = 0;
__u64 lost_events = 0;

/* The sys_enter_openat record, as its format file describes it. */
struct trace_event_raw_sys_enter_openat {
	__u64 unused;
	__s32 syscall_nr;
	__u64 dfd;
	__u64 filename;
	__u64 flags;
	__u64 mode;
};

static __always_inline int submit(__u8 kind, __s64 ret, __u64 duration)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lost_events++;
		return 0;
	}
	e->pid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->duration_ns = duration;
	e->ret = ret;
	e->kind = kind;
	bpf_core_read_str(e->comm, sizeof(e->comm), &task->comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline bool traced(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return !target_tgid || tgid == target_tgid;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(unlink_entry, int dfd, void *name)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 ts = bpf_ktime_get_ns();

	if (!traced())
		return 0;
	bpf_map_update_elem(&start_ns, &tid, &ts, BPF_ANY);
	return 0;
}

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(unlink_exit, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *start = bpf_map_lookup_elem(&start_ns, &tid);

	if (!start)
		return 0;
	submit(1, ret, bpf_ktime_get_ns() - *start);
	bpf_map_delete_elem(&start_ns, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int trace_openat(struct trace_event_raw_sys_enter_openat *ctx)
{
	if (!traced())
		return 0;
	return submit(2, (__s64)ctx->flags, 0);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (BPF_CORE_READ(prev, pid) == 0)
		return 0;
	if (bpf_core_field_exists(prev->mm) && BPF_CORE_READ(prev, mm, total_vm) > 1024)
		return submit(3, BPF_CORE_READ(next, pid), 0);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	int pid;

	bpf_rcu_read_lock();
	pid = BPF_CORE_READ(next, pid);
	bpf_rcu_read_unlock();
	return pid == 1;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(fentry_unlink, int dfd, void *name)
{
	return submit(4, dfd, 0);
}

SEC("fexit/do_unlinkat")
int BPF_PROG(fexit_unlink, int dfd, void *name, long ret)
{
	return submit(5, ret, bpf_core_type_size(struct task_struct));
}

SEC("lsm/file_open")
int BPF_PROG(check_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	if (BPF_CORE_READ(file, f_flags) & 0x40 /* O_CREAT */)
		submit(6, LINUX_KERNEL_VERSION, CONFIG_HZ);
	return 0;
}

struct loop_ctx {
	__u64 sum;
};

static int sum_step(__u32 index, struct loop_ctx *ctx)
{
	ctx->sum += index;
	return 0;
}

SEC("perf_event")
int sample_cpu(void *ctx)
{
	struct loop_ctx lc = {};

	bpf_loop(16, sum_step, &lc, 0);
	if (CONFIG_BPF_SYSCALL && CONFIG_NF_CONNTRACK == TRI_YES)
		lc.sum += (long)&bpf_prog_active;
	return submit(7, lc.sum, bpf_core_enum_value(enum task_state, TASK_INTERRUPTIBLE));
}

SEC("ksyscall/kill")
int BPF_KSYSCALL(kill_entry, int pid, int sig)
{
	return submit(8, sig, pid);
}

char LICENSE[] SEC("license") = "GPL";
