// SPDX-License-Identifier: GPL-2.0
/*
 * Weak kfuncs the kernel may lack. libbpf resolves a weak __ksym nothing provides to nothing:
 * a call to it is poisoned (`call unknown#2002000000 + extern index`), which the verifier
 * refuses only where it is reachable, and its address loads as 0, so bpf_ksym_exists()
 * guards it. bpf_maybe_kfunc is in no kernel; bpf_task_from_pid and bpf_task_release are in
 * the kernel-sim's BTF, so they resolve even though weak.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "common.h"

/* libbpf's bpf_ksym_exists(), which the libbpf headers clang 14 builds with do not have yet. */
#define ksym_exists(sym) (!!(sym))

extern int bpf_maybe_kfunc(int x) __ksym __weak;
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;

/* Calls the missing kfunc on every path: refused, naming it. */
SEC("syscall")
int call_unguarded(int *ctx)
{
	return bpf_maybe_kfunc(*ctx) + 1;
}

/* Calls the missing kfunc only when it exists: accepted, the call is dead code. */
SEC("syscall")
int call_guarded(int *ctx)
{
	if (ksym_exists(bpf_maybe_kfunc))
		return bpf_maybe_kfunc(*ctx);
	return -1;
}

/* Weak kfuncs the kernel has: resolved as if strong. */
SEC("syscall")
int call_present(int *ctx)
{
	struct task_struct *task = bpf_task_from_pid(*ctx);

	if (!task)
		return -1;
	bpf_task_release(task);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
