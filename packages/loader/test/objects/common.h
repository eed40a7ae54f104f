/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the bpfhive loader test objects: kernel types of our own, written the way a
 * vmlinux.h would declare them, so the objects build without a kernel's BTF. The structs
 * marked preserve_access_index make every field access a CO-RE relocation.
 */
#ifndef BPFHIVE_TEST_COMMON_H
#define BPFHIVE_TEST_COMMON_H

#include <linux/types.h>

struct mm_struct {
	unsigned long start_code;
	unsigned long end_code;
	unsigned long total_vm;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	unsigned int flags;
	char comm[16];
	struct task_struct *real_parent;
	struct mm_struct *mm;
	unsigned long long start_time;
} __attribute__((preserve_access_index));

struct file {
	unsigned int f_flags;
	unsigned int f_mode;
	long long f_pos;
} __attribute__((preserve_access_index));

enum task_state {
	TASK_RUNNING = 0,
	TASK_INTERRUPTIBLE = 1,
	TASK_UNINTERRUPTIBLE = 2,
};

#endif
