/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small vmlinux.h for the bpfhive tracing examples, written the way
 * `bpftool btf dump file /sys/kernel/btf/vmlinux format c` writes the real one, but holding
 * only the types and fields these examples use. Every field included sits at the offset it has
 * in Linux 6.x on x86-64 (checked against the BTF of a 6.18 kernel); the fields in between are
 * left out and replaced by `__pad_*` bytes, so each struct also has the kernel's size.
 *
 * As in bpftool's output, every struct and union is marked preserve_access_index (the pragma
 * below), so each field access compiles to a CO-RE relocation that the loader resolves against
 * the running kernel's BTF (bpfhive's kernel-sim publishes its own): the offsets here are
 * where clang starts, not what the program finally uses.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
#endif

/* Integer types, as include/uapi/asm-generic/int-ll64.h and include/linux/types.h name them. */
typedef signed char __s8;
typedef unsigned char __u8;
typedef short int __s16;
typedef short unsigned int __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long int __s64;
typedef long long unsigned int __u64;
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
typedef __u32 __wsum;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef _Bool bool;

enum {
	false = 0,
	true = 1,
};

/* From include/uapi/linux/bpf.h: the map types and update flags these examples use. */
enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC = 0,
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_LPM_TRIE = 11,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
	BPF_F_LOCK = 4,
};

enum {
	BPF_F_NO_PREALLOC = 1,
};

/* arch/x86/include/asm/ptrace.h: the registers a kprobe sees (168 bytes). */
struct pt_regs {
	long unsigned int r15;
	long unsigned int r14;
	long unsigned int r13;
	long unsigned int r12;
	long unsigned int bp;
	long unsigned int bx;
	long unsigned int r11;
	long unsigned int r10;
	long unsigned int r9;
	long unsigned int r8;
	long unsigned int ax;
	long unsigned int cx;
	long unsigned int dx;
	long unsigned int si;
	long unsigned int di;
	long unsigned int orig_ax;
	long unsigned int ip;
	long unsigned int cs;
	long unsigned int flags;
	long unsigned int sp;
	long unsigned int ss;
};

/* include/linux/trace_events.h: the common head of every tracepoint record (8 bytes). */
struct trace_entry {
	short unsigned int type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

/*
 * The raw_syscalls/sys_enter record (64 bytes). The syscalls/sys_enter_<name> records put the
 * syscall's arguments at the same offsets (16, 24, ...), so libbpf-tools read those with this
 * type too.
 */
struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long int id;
	long unsigned int args[6];
	char __data[0];
};

/* The raw_syscalls/sys_exit record and the syscalls/sys_exit_<name> ones (24 bytes). */
struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long int id;
	long int ret;
	char __data[0];
};

/* include/linux/sched.h (3264 bytes in the 6.18 build measured). */
struct task_struct {
	char __pad_0[1264];
	pid_t pid;			/* 1264 */
	pid_t tgid;			/* 1268 */
	char __pad_1[8];
	struct task_struct *real_parent;	/* 1280 */
	char __pad_2[464];
	char comm[16];			/* 1752 */
	char __pad_3[1496];
};

typedef __u32 __portpair;
typedef __u64 __addrpair;

/* include/net/sock.h: the part of a socket shared with request and timewait sockets (136 bytes). */
struct sock_common {
	union {
		__addrpair skc_addrpair;
		struct {
			__be32 skc_daddr;	/* 0: the peer's IPv4 address */
			__be32 skc_rcv_saddr;	/* 4: the bound local IPv4 address */
		};
	};
	union {
		unsigned int skc_hash;
		__u16 skc_u16hashes[2];
	};
	union {
		__portpair skc_portpair;
		struct {
			__be16 skc_dport;	/* 12: the peer's port, network order */
			__u16 skc_num;		/* 14: the local port, host order */
		};
	};
	short unsigned int skc_family;	/* 16: AF_INET, AF_INET6 */
	volatile unsigned char skc_state;	/* 18: TCP_ESTABLISHED, ... */
	char __pad_0[117];
};

/* include/net/sock.h (784 bytes in the 6.18 build measured). */
struct sock {
	struct sock_common __sk_common;
	char __pad_0[648];
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
