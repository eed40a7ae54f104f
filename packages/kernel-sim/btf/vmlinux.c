/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated kernel's types: the source of its BTF, btf/vmlinux.btf, which is to bpfhive what
 * /sys/kernel/btf/vmlinux is to Linux — the target of CO-RE relocations, the argument types of
 * fentry/fexit and tp_btf programs, and what `bpftool btf dump ... format c` turns into a
 * vmlinux.h. build.sh compiles this file with clang and keeps only its .BTF section.
 *
 * The structs are laid out as Linux 6.18 lays them out on x86-64 (offsets and sizes taken from
 * that kernel's own BTF), but hold only the fields that the programs of BCC's libbpf-tools,
 * Falco, Tracee and Cilium read; the bytes in between are `__pad_N` arrays, so every struct has
 * the kernel's size and every field the kernel's offset (a program compiled against a real
 * vmlinux.h needs no relocation at all for them). pt_regs and sockaddr keep their classic
 * declarations. The kernel functions and the tracepoints are the ones the simulated world fires,
 * with the prototypes and record layouts it uses (Linux 6.6: src/world/proc/kallsyms.ts and
 * tracepoints.ts); src/kbtf tests hold this file to both.
 *
 * Every type is kept by naming it in struct __vmlinux_keep at the end (clang emits BTF only for
 * types something uses); build.sh drops that struct, its function and whatever only they use.
 */

/* Pointed to before their definition below, or never defined (a FWD in the BTF). */
struct bpf_flow_keys;
struct bpf_sock;
struct cgroup;
struct cgroup_namespace;
struct cgroup_subsys_state;
struct cred;
struct css_set;
struct dentry;
struct fdtable;
struct file;
struct file_operations;
struct file_system_type;
struct files_struct;
struct fs_struct;
struct inode;
struct ipc_namespace;
struct ipv6_pinfo;
struct kernfs_node;
struct list_head;
struct mm_struct;
struct mnt_namespace;
struct net;
struct net_device;
struct nsproxy;
struct pid;
struct pid_namespace;
struct proto;
struct proto_ops;
struct signal_struct;
struct sk_buff;
struct sock;
struct socket;
struct super_block;
struct task_struct;
struct time_namespace;
struct tty_struct;
struct user_namespace;
struct uts_namespace;
struct vfsmount;
struct xdp_rxq_info;
struct xdp_txq_info;

/* pt_regs: arch/x86/include/asm/ptrace.h */

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

/* task_struct: include/linux/sched.h */

typedef unsigned int __u32;

typedef __u32 u32;

struct thread_info {
	long unsigned int flags;
	long unsigned int syscall_work;
	u32 status;
	u32 cpu;
};

typedef int __kernel_pid_t;

typedef __kernel_pid_t pid_t;

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

typedef long long unsigned int __u64;

typedef __u64 u64;

typedef unsigned int __kernel_uid32_t;

typedef __kernel_uid32_t uid_t;

typedef struct {
	uid_t val;
} kuid_t;

/* atomic_t and refcount_t: include/linux/types.h, include/linux/refcount_types.h */

typedef struct {
	int counter;
} atomic_t;

struct refcount_struct {
	atomic_t refs;
};

typedef struct refcount_struct refcount_t;

struct task_struct {
	struct thread_info thread_info;
	unsigned int __state;
	char __pad_0[4];
	void *stack;
	refcount_t usage;
	unsigned int flags;
	char __pad_2[4];
	int on_cpu;
	char __pad_3[52];
	int prio;
	int static_prio;
	int normal_prio;
	char __pad_4[660];
	unsigned int policy;
	char __pad_5[352];
	struct mm_struct *mm;
	struct mm_struct *active_mm;
	char __pad_6[8];
	int exit_state;
	int exit_code;
	int exit_signal;
	int pdeath_signal;
	char __pad_7[88];
	pid_t pid;
	pid_t tgid;
	char __pad_8[8];
	struct task_struct *real_parent;
	struct task_struct *parent;
	struct list_head children;
	struct list_head sibling;
	struct task_struct *group_leader;
	char __pad_9[32];
	struct pid *thread_pid;
	char __pad_10[64];
	struct list_head thread_node;
	char __pad_11[32];
	u64 utime;
	u64 stime;
	char __pad_12[32];
	long unsigned int nvcsw;
	long unsigned int nivcsw;
	u64 start_time;
	u64 start_boottime;
	char __pad_13[160];
	const struct cred *real_cred;
	const struct cred *cred;
	char __pad_14[8];
	char comm[16];
	char __pad_15[48];
	struct fs_struct *fs;
	struct files_struct *files;
	char __pad_16[8];
	struct nsproxy *nsproxy;
	struct signal_struct *signal;
	char __pad_17[96];
	kuid_t loginuid;
	unsigned int sessionid;
	char __pad_18[56];
	u64 self_exec_id;
	char __pad_19[352];
	struct css_set *cgroups;
	char __pad_20[880];
};

/* cred: include/linux/cred.h */

typedef long long int __s64;

typedef __s64 s64;

typedef struct {
	s64 counter;
} atomic64_t;

typedef atomic64_t atomic_long_t;

typedef unsigned int __kernel_gid32_t;

typedef __kernel_gid32_t gid_t;

typedef struct {
	gid_t val;
} kgid_t;

typedef struct {
	u64 val;
} kernel_cap_t;

struct cred {
	atomic_long_t usage;
	kuid_t uid;
	kgid_t gid;
	kuid_t suid;
	kgid_t sgid;
	kuid_t euid;
	kgid_t egid;
	kuid_t fsuid;
	kgid_t fsgid;
	unsigned int securebits;
	char __pad_21[4];
	kernel_cap_t cap_inheritable;
	kernel_cap_t cap_permitted;
	kernel_cap_t cap_effective;
	kernel_cap_t cap_bset;
	kernel_cap_t cap_ambient;
	char __pad_22[56];
	struct user_namespace *user_ns;
	char __pad_23[32];
};

/* pid: include/linux/pid.h */

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	refcount_t count;
	unsigned int level;
	char __pad_24[136];
	struct upid numbers[0];
};

/* pid_namespace: include/linux/pid_namespace.h */

struct ns_common {
	u32 ns_type;
	char __pad_25[4];
	struct dentry *stashed;
	char __pad_26[8];
	unsigned int inum;
	char __pad_27[52];
};

struct pid_namespace {
	char __pad_28[40];
	unsigned int pid_allocated;
	char __pad_29[4];
	struct task_struct *child_reaper;
	char __pad_30[8];
	unsigned int level;
	char __pad_31[4];
	struct pid_namespace *parent;
	char __pad_32[8];
	struct user_namespace *user_ns;
	char __pad_33[16];
	struct ns_common ns;
	char __pad_34[152];
};

/* nsproxy: include/linux/nsproxy.h */

struct nsproxy {
	refcount_t count;
	struct uts_namespace *uts_ns;
	struct ipc_namespace *ipc_ns;
	struct mnt_namespace *mnt_ns;
	struct pid_namespace *pid_ns_for_children;
	struct net *net_ns;
	struct time_namespace *time_ns;
	struct time_namespace *time_ns_for_children;
	struct cgroup_namespace *cgroup_ns;
};

/* uts_namespace: include/linux/utsname.h */

struct new_utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

struct uts_namespace {
	struct new_utsname name;
	char __pad_35[2];
	struct user_namespace *user_ns;
	char __pad_36[8];
	struct ns_common ns;
};

/* mnt_namespace: fs/mount.h */

struct mnt_namespace {
	struct ns_common ns;
	char __pad_37[120];
};

/* ipc_namespace: include/linux/ipc_namespace.h */

struct ipc_namespace {
	char __pad_38[1120];
	struct ns_common ns;
};

/* net: include/net/net_namespace.h */

struct net {
	char __pad_39[12];
	u32 ifindex;
	char __pad_40[136];
	struct ns_common ns;
	char __pad_41[208];
	struct net_device *loopback_dev;
	char __pad_42[3840];
};

/* cgroup_namespace: include/linux/cgroup.h */

struct cgroup_namespace {
	struct ns_common ns;
	char __pad_43[24];
};

/* user_namespace: include/linux/user_namespace.h */

struct user_namespace {
	char __pad_44[200];
	int level;
	kuid_t owner;
	kgid_t group;
	char __pad_45[4];
	struct ns_common ns;
	char __pad_46[376];
};

/* signal_struct: include/linux/sched/signal.h */

struct signal_struct {
	char __pad_47[8];
	int nr_threads;
	char __pad_48[396];
	struct tty_struct *tty;
	char __pad_49[728];
};

/* mm_struct: include/linux/mm_types.h */

typedef long unsigned int pgdval_t;

typedef struct {
	pgdval_t pgd;
} pgd_t;

struct mm_struct {
	struct {
		struct {
			atomic_t mm_count;
			char __pad_50[60];
		};
		char __pad_51[16];
		long unsigned int mmap_base;
		char __pad_52[24];
		long unsigned int task_size;
		pgd_t *pgd;
		char __pad_53[4];
		atomic_t mm_users;
		char __pad_54[40];
		int map_count;
		char __pad_55[180];
		long unsigned int total_vm;
		char __pad_56[56];
		long unsigned int start_code;
		long unsigned int end_code;
		long unsigned int start_data;
		long unsigned int end_data;
		long unsigned int start_brk;
		long unsigned int brk;
		long unsigned int start_stack;
		long unsigned int arg_start;
		long unsigned int arg_end;
		long unsigned int env_start;
		long unsigned int env_end;
		char __pad_57[784];
		struct task_struct *owner;
		char __pad_58[8];
		struct file *exe_file;
		char __pad_59[152];
	};
};

/* fs_struct: include/linux/fs_struct.h */

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct fs_struct {
	int users;
	char __pad_60[8];
	int umask;
	char __pad_61[8];
	struct path root;
	struct path pwd;
};

/* files_struct: include/linux/fdtable.h */

struct fdtable {
	unsigned int max_fds;
	char __pad_62[4];
	struct file **fd;
	long unsigned int *close_on_exec;
	long unsigned int *open_fds;
	long unsigned int *full_fds_bits;
	char __pad_63[16];
};

struct files_struct {
	atomic_t count;
	char __pad_64[28];
	struct fdtable *fdt;
	struct fdtable fdtab;
	char __pad_65[36];
	unsigned int next_fd;
	long unsigned int close_on_exec_init[1];
	long unsigned int open_fds_init[1];
	char __pad_66[8];
	struct file *fd_array[64];
	char __pad_67[32];
};

/* file: include/linux/fs.h */

typedef unsigned int fmode_t;

typedef long long int __kernel_loff_t;

typedef __kernel_loff_t loff_t;

struct file {
	char __pad_68[4];
	fmode_t f_mode;
	const struct file_operations *f_op;
	char __pad_69[8];
	void *private_data;
	struct inode *f_inode;
	unsigned int f_flags;
	char __pad_70[4];
	const struct cred *f_cred;
	char __pad_71[8];
	union {
		const struct path f_path;
	};
	char __pad_72[32];
	loff_t f_pos;
	void *f_security;
	char __pad_73[56];
};

/* vfsmount: include/linux/mount.h */

struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
	int mnt_flags;
	char __pad_74[12];
};

/* dentry: include/linux/dcache.h */

struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
};

struct dentry {
	unsigned int d_flags;
	char __pad_75[20];
	struct dentry *d_parent;
	union {
		const struct qstr d_name;
	};
	struct inode *d_inode;
	char __pad_76[48];
	struct super_block *d_sb;
	char __pad_77[80];
};

/* inode: include/linux/fs.h */

typedef short unsigned int umode_t;

typedef u32 __kernel_dev_t;

typedef __kernel_dev_t dev_t;

typedef __s64 time64_t;

struct inode {
	umode_t i_mode;
	char __pad_78[2];
	kuid_t i_uid;
	kgid_t i_gid;
	unsigned int i_flags;
	char __pad_79[24];
	struct super_block *i_sb;
	char __pad_80[16];
	long unsigned int i_ino;
	union {
		const unsigned int i_nlink;
	};
	dev_t i_rdev;
	loff_t i_size;
	time64_t i_atime_sec;
	time64_t i_mtime_sec;
	time64_t i_ctime_sec;
	u32 i_atime_nsec;
	u32 i_mtime_nsec;
	u32 i_ctime_nsec;
	char __pad_81[236];
	union {
		const struct file_operations *i_fop;
	};
	char __pad_82[240];
	void *i_private;
};

/* super_block: include/linux/fs.h */

struct super_block {
	char __pad_83[16];
	dev_t s_dev;
	char __pad_84[4];
	long unsigned int s_blocksize;
	char __pad_85[8];
	struct file_system_type *s_type;
	char __pad_86[32];
	long unsigned int s_flags;
	char __pad_87[8];
	long unsigned int s_magic;
	struct dentry *s_root;
	char __pad_88[824];
	char s_id[32];
	char __pad_89[504];
};

/* file_system_type: include/linux/fs.h */

struct file_system_type {
	const char *name;
	int fs_flags;
	char __pad_90[60];
};

/* linux_binprm: include/linux/binfmts.h */

struct linux_binprm {
	char __pad_91[16];
	long unsigned int argmin;
	struct mm_struct *mm;
	long unsigned int p;
	char __pad_92[8];
	struct file *executable;
	struct file *interpreter;
	struct file *file;
	struct cred *cred;
	int unsafe;
	unsigned int per_clear;
	int argc;
	int envc;
	const char *filename;
	const char *interp;
	const char *fdpath;
	char __pad_93[32];
	char buf[256];
};

/* filename: include/linux/fs.h */

struct filename {
	const char *name;
	const char *uptr;
	atomic_t refcnt;
	char __pad_94[12];
};

/* css_set: include/linux/cgroup-defs.h */

struct css_set {
	struct cgroup_subsys_state *subsys[12];
	char __pad_95[16];
	struct cgroup *dfl_cgrp;
	char __pad_96[424];
};

/* cgroup: include/linux/cgroup-defs.h */

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	char __pad_97[64];
	int id;
	char __pad_98[108];
	struct cgroup_subsys_state *parent;
	char __pad_99[16];
};

struct cgroup {
	struct cgroup_subsys_state self;
	char __pad_100[8];
	int level;
	char __pad_101[36];
	struct kernfs_node *kn;
	char __pad_102[1976];
};

/* kernfs_node: include/linux/kernfs.h */

struct kernfs_node {
	char __pad_103[8];
	struct kernfs_node *__parent;
	const char *name;
	char __pad_104[36];
	short unsigned int flags;
	umode_t mode;
	char __pad_105[32];
	u64 id;
	char __pad_106[32];
};

/* sock_common: include/net/sock.h */

typedef __u64 __addrpair;

typedef __u32 __be32;

typedef __u32 __portpair;

typedef short unsigned int __u16;

typedef __u16 __be16;

typedef struct {
	struct net *net;
} possible_net_t;

typedef unsigned char __u8;

struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be16 u6_addr16[8];
		__be32 u6_addr32[4];
	} in6_u;
};

struct sock_common {
	union {
		__addrpair skc_addrpair;
		struct {
			__be32 skc_daddr;
			__be32 skc_rcv_saddr;
		};
	};
	union {
		unsigned int skc_hash;
	};
	union {
		__portpair skc_portpair;
		struct {
			__be16 skc_dport;
			__u16 skc_num;
		};
	};
	short unsigned int skc_family;
	volatile unsigned char skc_state;
	char __pad_107[1];
	int skc_bound_dev_if;
	char __pad_108[16];
	struct proto *skc_prot;
	possible_net_t skc_net;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
	atomic64_t skc_cookie;
	char __pad_109[32];
	refcount_t skc_refcnt;
	char __pad_110[4];
};

/* sock: include/net/sock.h */

typedef __u16 u16;

typedef __u8 u8;

struct sock_cgroup_data {
	struct cgroup *cgroup;
	u32 classid;
	u16 prioidx;
};

struct sock {
	struct sock_common __sk_common;
	char __pad_111[108];
	int sk_rcvbuf;
	char __pad_112[36];
	int sk_err;
	struct socket *sk_socket;
	char __pad_113[80];
	int sk_wmem_queued;
	char __pad_114[132];
	long int sk_sndtimeo;
	u32 sk_priority;
	u32 sk_mark;
	kuid_t sk_uid;
	u16 sk_protocol;
	u16 sk_type;
	char __pad_115[32];
	int sk_sndbuf;
	char __pad_116[3];
	u8 sk_shutdown;
	char __pad_117[24];
	u32 sk_ack_backlog;
	u32 sk_max_ack_backlog;
	long unsigned int sk_ino;
	char __pad_118[8];
	struct pid *sk_peer_pid;
	const struct cred *sk_peer_cred;
	char __pad_119[32];
	struct sock_cgroup_data sk_cgrp_data;
	char __pad_120[96];
};

/* inet_sock: include/net/inet_sock.h */

struct inet_sock {
	struct sock sk;
	struct ipv6_pinfo *pinet6;
	char __pad_121[16];
	__be32 inet_saddr;
	char __pad_122[2];
	__be16 inet_sport;
	char __pad_123[8];
	atomic_t inet_id;
	__u8 tos;
	char __pad_124[187];
};

/* inet_connection_sock: include/net/inet_connection_sock.h */

struct inet_connection_sock {
	struct inet_sock icsk_inet;
	char __pad_125[168];
	__u32 icsk_rto;
	char __pad_126[61];
	__u8 icsk_retransmits;
	char __pad_127[150];
};

/* tcp_sock: include/linux/tcp.h */

struct tcp_sock {
	struct inet_connection_sock inet_conn;
	char __pad_128[44];
	u32 snd_cwnd;
	char __pad_129[4];
	u32 lost_out;
	u32 sacked_out;
	char __pad_130[20];
	u32 retrans_out;
	char __pad_131[8];
	u32 snd_ssthresh;
	char __pad_132[40];
	u32 segs_out;
	char __pad_133[4];
	u64 bytes_sent;
	char __pad_134[36];
	u32 mdev_us;
	char __pad_135[72];
	u32 rcv_nxt;
	u32 snd_nxt;
	u32 snd_una;
	char __pad_136[4];
	u32 srtt_us;
	u32 packets_out;
	char __pad_137[32];
	u32 rcv_wnd;
	char __pad_138[28];
	u64 bytes_received;
	u32 segs_in;
	char __pad_139[60];
	u64 bytes_acked;
	char __pad_140[368];
	u32 total_retrans;
	char __pad_141[100];
};

/* socket: include/linux/net.h */

typedef enum {
	SS_FREE = 0,
	SS_UNCONNECTED = 1,
	SS_CONNECTING = 2,
	SS_CONNECTED = 3,
	SS_DISCONNECTING = 4,
} socket_state;

struct socket {
	socket_state state;
	short int type;
	char __pad_142[2];
	long unsigned int flags;
	struct file *file;
	struct sock *sk;
	const struct proto_ops *ops;
	char __pad_143[88];
};

/* sk_buff: include/linux/skbuff.h */

typedef s64 ktime_t;

typedef unsigned int sk_buff_data_t;

struct sk_buff {
	union {
		struct {
			struct sk_buff *next;
			struct sk_buff *prev;
			union {
				struct net_device *dev;
			};
		};
	};
	struct sock *sk;
	union {
		ktime_t tstamp;
	};
	char cb[48];
	char __pad_144[24];
	unsigned int len;
	unsigned int data_len;
	__u16 mac_len;
	__u16 hdr_len;
	__u16 queue_mapping;
	char __pad_145[2];
	union {
		struct {
			char __pad_146[12];
			__u32 priority;
			int skb_iif;
			__u32 hash;
			union {
				struct {
					__be16 vlan_proto;
					__u16 vlan_tci;
				};
			};
			union {
				unsigned int napi_id;
			};
			char __pad_147[4];
			union {
				__u32 mark;
			};
			char __pad_148[8];
			__be16 protocol;
			__u16 transport_header;
			__u16 network_header;
			__u16 mac_header;
		};
	};
	sk_buff_data_t tail;
	sk_buff_data_t end;
	unsigned char *head;
	unsigned char *data;
	unsigned int truesize;
	refcount_t users;
	char __pad_149[8];
};

/* net_device: include/linux/netdevice.h */

struct net_device {
	char __pad_150[56];
	unsigned int mtu;
	char __pad_151[116];
	unsigned int flags;
	char __pad_152[44];
	int ifindex;
	char __pad_153[36];
	possible_net_t nd_net;
	char __pad_154[8];
	char name[16];
	char __pad_155[232];
	unsigned int min_mtu;
	unsigned int max_mtu;
	short unsigned int type;
	char __pad_156[237];
	unsigned char perm_addr[32];
	char __pad_157[1];
	unsigned char addr_len;
	char __pad_158[159];
	const unsigned char *dev_addr;
	unsigned int num_rx_queues;
	char __pad_159[1516];
};

/* xdp_buff: include/net/xdp.h */

struct xdp_buff {
	void *data;
	void *data_end;
	void *data_meta;
	void *data_hard_start;
	struct xdp_rxq_info *rxq;
	struct xdp_txq_info *txq;
	union {
		struct {
			u32 frame_sz;
			u32 flags;
		};
		u64 frame_sz_flags_init;
	};
};

/* xdp_rxq_info: include/net/xdp.h */

struct xdp_rxq_info {
	struct net_device *dev;
	u32 queue_index;
	u32 reg_state;
	char __pad_160[8];
	u32 frag_size;
	char __pad_161[36];
};

/* xdp_txq_info: include/net/xdp.h */

struct xdp_txq_info {
	struct net_device *dev;
};

/* kernel_clone_args: include/linux/sched/task.h */

typedef long unsigned int __kernel_ulong_t;

typedef __kernel_ulong_t __kernel_size_t;

typedef __kernel_size_t size_t;

struct kernel_clone_args {
	u64 flags;
	int *pidfd;
	int *child_tid;
	int *parent_tid;
	const char *name;
	int exit_signal;
	char __pad_162[4];
	long unsigned int stack;
	long unsigned int stack_size;
	long unsigned int tls;
	pid_t *set_tid;
	size_t set_tid_size;
	int cgroup;
	char __pad_163[44];
};

/* kernel_siginfo: include/linux/signal_types.h */

struct kernel_siginfo {
	struct {
		int si_signo;
		int si_errno;
		int si_code;
		char __pad_164[36];
	};
};

/* open_how: include/uapi/linux/openat2.h */

struct open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

/* sockaddr_in: include/uapi/linux/in.h */

typedef short unsigned int __kernel_sa_family_t;

struct in_addr {
	__be32 s_addr;
};

struct sockaddr_in {
	__kernel_sa_family_t sin_family;
	__be16 sin_port;
	struct in_addr sin_addr;
	unsigned char __pad[8];
};

/* sockaddr_in6: include/uapi/linux/in6.h */

struct sockaddr_in6 {
	short unsigned int sin6_family;
	__be16 sin6_port;
	__be32 sin6_flowinfo;
	struct in6_addr sin6_addr;
	__u32 sin6_scope_id;
};

/* trace_entry: include/linux/trace_events.h */

struct trace_entry {
	short unsigned int type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

/* sockaddr: include/linux/socket.h */

typedef __kernel_sa_family_t sa_family_t;

struct sockaddr {
	sa_family_t sa_family;
	char sa_data[14];
};

/* ethhdr: include/uapi/linux/if_ether.h */

struct ethhdr {
	unsigned char h_dest[6];
	unsigned char h_source[6];
	__be16 h_proto;
};

/* iphdr: include/uapi/linux/ip.h */

typedef __u16 __sum16;

struct iphdr {
	__u8 ihl: 4;
	__u8 version: 4;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__sum16 check;
	union {
		struct {
			__be32 saddr;
			__be32 daddr;
		};
		struct {
			__be32 saddr;
			__be32 daddr;
		} addrs;
	};
};

/* ipv6hdr: include/uapi/linux/ipv6.h */

struct ipv6hdr {
	__u8 priority: 4;
	__u8 version: 4;
	__u8 flow_lbl[3];
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	union {
		struct {
			struct in6_addr saddr;
			struct in6_addr daddr;
		};
		struct {
			struct in6_addr saddr;
			struct in6_addr daddr;
		} addrs;
	};
};

/* tcphdr: include/uapi/linux/tcp.h */

struct tcphdr {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u16 ae: 1;
	__u16 res1: 3;
	__u16 doff: 4;
	__u16 fin: 1;
	__u16 syn: 1;
	__u16 rst: 1;
	__u16 psh: 1;
	__u16 ack: 1;
	__u16 urg: 1;
	__u16 ece: 1;
	__u16 cwr: 1;
	__be16 window;
	__sum16 check;
	__be16 urg_ptr;
};

/* udphdr: include/uapi/linux/udp.h */

struct udphdr {
	__be16 source;
	__be16 dest;
	__be16 len;
	__sum16 check;
};

/* icmphdr: include/uapi/linux/icmp.h */

struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 sequence;
		} echo;
		__be32 gateway;
		struct {
			__be16 __unused;
			__be16 mtu;
		} frag;
		__u8 reserved[4];
	} un;
};

/* xdp_action: include/uapi/linux/bpf.h */

enum xdp_action {
	XDP_ABORTED = 0,
	XDP_DROP = 1,
	XDP_PASS = 2,
	XDP_TX = 3,
	XDP_REDIRECT = 4,
};

/* bpf_map_type: include/uapi/linux/bpf.h */

enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC = 0,
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_STACK_TRACE = 7,
	BPF_MAP_TYPE_CGROUP_ARRAY = 8,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_LRU_PERCPU_HASH = 10,
	BPF_MAP_TYPE_LPM_TRIE = 11,
	BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPF_MAP_TYPE_HASH_OF_MAPS = 13,
	BPF_MAP_TYPE_DEVMAP = 14,
	BPF_MAP_TYPE_SOCKMAP = 15,
	BPF_MAP_TYPE_CPUMAP = 16,
	BPF_MAP_TYPE_XSKMAP = 17,
	BPF_MAP_TYPE_SOCKHASH = 18,
	BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED = 19,
	BPF_MAP_TYPE_CGROUP_STORAGE = 19,
	BPF_MAP_TYPE_REUSEPORT_SOCKARRAY = 20,
	BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE_DEPRECATED = 21,
	BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21,
	BPF_MAP_TYPE_QUEUE = 22,
	BPF_MAP_TYPE_STACK = 23,
	BPF_MAP_TYPE_SK_STORAGE = 24,
	BPF_MAP_TYPE_DEVMAP_HASH = 25,
	BPF_MAP_TYPE_STRUCT_OPS = 26,
	BPF_MAP_TYPE_RINGBUF = 27,
	BPF_MAP_TYPE_INODE_STORAGE = 28,
	BPF_MAP_TYPE_TASK_STORAGE = 29,
	BPF_MAP_TYPE_BLOOM_FILTER = 30,
	BPF_MAP_TYPE_USER_RINGBUF = 31,
	BPF_MAP_TYPE_CGRP_STORAGE = 32,
	BPF_MAP_TYPE_ARENA = 33,
	__MAX_BPF_MAP_TYPE = 34,
};

/* bpf_prog_type: include/uapi/linux/bpf.h */

enum bpf_prog_type {
	BPF_PROG_TYPE_UNSPEC = 0,
	BPF_PROG_TYPE_SOCKET_FILTER = 1,
	BPF_PROG_TYPE_KPROBE = 2,
	BPF_PROG_TYPE_SCHED_CLS = 3,
	BPF_PROG_TYPE_SCHED_ACT = 4,
	BPF_PROG_TYPE_TRACEPOINT = 5,
	BPF_PROG_TYPE_XDP = 6,
	BPF_PROG_TYPE_PERF_EVENT = 7,
	BPF_PROG_TYPE_CGROUP_SKB = 8,
	BPF_PROG_TYPE_CGROUP_SOCK = 9,
	BPF_PROG_TYPE_LWT_IN = 10,
	BPF_PROG_TYPE_LWT_OUT = 11,
	BPF_PROG_TYPE_LWT_XMIT = 12,
	BPF_PROG_TYPE_SOCK_OPS = 13,
	BPF_PROG_TYPE_SK_SKB = 14,
	BPF_PROG_TYPE_CGROUP_DEVICE = 15,
	BPF_PROG_TYPE_SK_MSG = 16,
	BPF_PROG_TYPE_RAW_TRACEPOINT = 17,
	BPF_PROG_TYPE_CGROUP_SOCK_ADDR = 18,
	BPF_PROG_TYPE_LWT_SEG6LOCAL = 19,
	BPF_PROG_TYPE_LIRC_MODE2 = 20,
	BPF_PROG_TYPE_SK_REUSEPORT = 21,
	BPF_PROG_TYPE_FLOW_DISSECTOR = 22,
	BPF_PROG_TYPE_CGROUP_SYSCTL = 23,
	BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE = 24,
	BPF_PROG_TYPE_CGROUP_SOCKOPT = 25,
	BPF_PROG_TYPE_TRACING = 26,
	BPF_PROG_TYPE_STRUCT_OPS = 27,
	BPF_PROG_TYPE_EXT = 28,
	BPF_PROG_TYPE_LSM = 29,
	BPF_PROG_TYPE_SK_LOOKUP = 30,
	BPF_PROG_TYPE_SYSCALL = 31,
	BPF_PROG_TYPE_NETFILTER = 32,
	__MAX_BPF_PROG_TYPE = 33,
};

/* bpf_attach_type: include/uapi/linux/bpf.h */

enum bpf_attach_type {
	BPF_CGROUP_INET_INGRESS = 0,
	BPF_CGROUP_INET_EGRESS = 1,
	BPF_CGROUP_INET_SOCK_CREATE = 2,
	BPF_CGROUP_SOCK_OPS = 3,
	BPF_SK_SKB_STREAM_PARSER = 4,
	BPF_SK_SKB_STREAM_VERDICT = 5,
	BPF_CGROUP_DEVICE = 6,
	BPF_SK_MSG_VERDICT = 7,
	BPF_CGROUP_INET4_BIND = 8,
	BPF_CGROUP_INET6_BIND = 9,
	BPF_CGROUP_INET4_CONNECT = 10,
	BPF_CGROUP_INET6_CONNECT = 11,
	BPF_CGROUP_INET4_POST_BIND = 12,
	BPF_CGROUP_INET6_POST_BIND = 13,
	BPF_CGROUP_UDP4_SENDMSG = 14,
	BPF_CGROUP_UDP6_SENDMSG = 15,
	BPF_LIRC_MODE2 = 16,
	BPF_FLOW_DISSECTOR = 17,
	BPF_CGROUP_SYSCTL = 18,
	BPF_CGROUP_UDP4_RECVMSG = 19,
	BPF_CGROUP_UDP6_RECVMSG = 20,
	BPF_CGROUP_GETSOCKOPT = 21,
	BPF_CGROUP_SETSOCKOPT = 22,
	BPF_TRACE_RAW_TP = 23,
	BPF_TRACE_FENTRY = 24,
	BPF_TRACE_FEXIT = 25,
	BPF_MODIFY_RETURN = 26,
	BPF_LSM_MAC = 27,
	BPF_TRACE_ITER = 28,
	BPF_CGROUP_INET4_GETPEERNAME = 29,
	BPF_CGROUP_INET6_GETPEERNAME = 30,
	BPF_CGROUP_INET4_GETSOCKNAME = 31,
	BPF_CGROUP_INET6_GETSOCKNAME = 32,
	BPF_XDP_DEVMAP = 33,
	BPF_CGROUP_INET_SOCK_RELEASE = 34,
	BPF_XDP_CPUMAP = 35,
	BPF_SK_LOOKUP = 36,
	BPF_XDP = 37,
	BPF_SK_SKB_VERDICT = 38,
	BPF_SK_REUSEPORT_SELECT = 39,
	BPF_SK_REUSEPORT_SELECT_OR_MIGRATE = 40,
	BPF_PERF_EVENT = 41,
	BPF_TRACE_KPROBE_MULTI = 42,
	BPF_LSM_CGROUP = 43,
	BPF_STRUCT_OPS = 44,
	BPF_NETFILTER = 45,
	BPF_TCX_INGRESS = 46,
	BPF_TCX_EGRESS = 47,
	BPF_TRACE_UPROBE_MULTI = 48,
	BPF_CGROUP_UNIX_CONNECT = 49,
	BPF_CGROUP_UNIX_SENDMSG = 50,
	BPF_CGROUP_UNIX_RECVMSG = 51,
	BPF_CGROUP_UNIX_GETPEERNAME = 52,
	BPF_CGROUP_UNIX_GETSOCKNAME = 53,
	BPF_NETKIT_PRIMARY = 54,
	BPF_NETKIT_PEER = 55,
	BPF_TRACE_KPROBE_SESSION = 56,
	BPF_TRACE_UPROBE_SESSION = 57,
	__MAX_BPF_ATTACH_TYPE = 58,
};

/* pid_type: include/linux/pid_types.h */

enum pid_type {
	PIDTYPE_PID = 0,
	PIDTYPE_TGID = 1,
	PIDTYPE_PGID = 2,
	PIDTYPE_SID = 3,
	PIDTYPE_MAX = 4,
};

/* xdp_md: include/uapi/linux/bpf.h */

struct xdp_md {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
	__u32 egress_ifindex;
};

/* __sk_buff: include/uapi/linux/bpf.h */

struct __sk_buff {
	__u32 len;
	__u32 pkt_type;
	__u32 mark;
	__u32 queue_mapping;
	__u32 protocol;
	__u32 vlan_present;
	__u32 vlan_tci;
	__u32 vlan_proto;
	__u32 priority;
	__u32 ingress_ifindex;
	__u32 ifindex;
	__u32 tc_index;
	__u32 cb[5];
	__u32 hash;
	__u32 tc_classid;
	__u32 data;
	__u32 data_end;
	__u32 napi_id;
	__u32 family;
	__u32 remote_ip4;
	__u32 local_ip4;
	__u32 remote_ip6[4];
	__u32 local_ip6[4];
	__u32 remote_port;
	__u32 local_port;
	__u32 data_meta;
	union {
		struct bpf_flow_keys *flow_keys;
	};
	__u64 tstamp;
	__u32 wire_len;
	__u32 gso_segs;
	union {
		struct bpf_sock *sk;
	};
	__u32 gso_size;
	__u8 tstamp_type;
	__u64 hwtstamp;
};

/* bpf_sock: include/uapi/linux/bpf.h */

typedef int __s32;

struct bpf_sock {
	__u32 bound_dev_if;
	__u32 family;
	__u32 type;
	__u32 protocol;
	__u32 mark;
	__u32 priority;
	__u32 src_ip4;
	__u32 src_ip6[4];
	__u32 src_port;
	__be16 dst_port;
	__u32 dst_ip4;
	__u32 dst_ip6[4];
	__u32 state;
	__s32 rx_queue_mapping;
};

/* bpf_sock_tuple: include/uapi/linux/bpf.h */

struct bpf_sock_tuple {
	union {
		struct {
			__be32 saddr;
			__be32 daddr;
			__be16 sport;
			__be16 dport;
		} ipv4;
		struct {
			__be32 saddr[4];
			__be32 daddr[4];
			__be16 sport;
			__be16 dport;
		} ipv6;
	};
};

/* bpf_sock_addr: include/uapi/linux/bpf.h */

struct bpf_sock_addr {
	__u32 user_family;
	__u32 user_ip4;
	__u32 user_ip6[4];
	__u32 user_port;
	__u32 family;
	__u32 type;
	__u32 protocol;
	__u32 msg_src_ip4;
	__u32 msg_src_ip6[4];
	union {
		struct bpf_sock *sk;
	};
};

/* bpf_sock_ops: include/uapi/linux/bpf.h */

struct bpf_sock_ops {
	__u32 op;
	union {
		__u32 args[4];
		__u32 reply;
		__u32 replylong[4];
	};
	__u32 family;
	__u32 remote_ip4;
	__u32 local_ip4;
	__u32 remote_ip6[4];
	__u32 local_ip6[4];
	__u32 remote_port;
	__u32 local_port;
	__u32 is_fullsock;
	__u32 snd_cwnd;
	__u32 srtt_us;
	__u32 bpf_sock_ops_cb_flags;
	__u32 state;
	__u32 rtt_min;
	__u32 snd_ssthresh;
	__u32 rcv_nxt;
	__u32 snd_nxt;
	__u32 snd_una;
	__u32 mss_cache;
	__u32 ecn_flags;
	__u32 rate_delivered;
	__u32 rate_interval_us;
	__u32 packets_out;
	__u32 retrans_out;
	__u32 total_retrans;
	__u32 segs_in;
	__u32 data_segs_in;
	__u32 segs_out;
	__u32 data_segs_out;
	__u32 lost_out;
	__u32 sacked_out;
	__u32 sk_txhash;
	__u64 bytes_received;
	__u64 bytes_acked;
	union {
		struct bpf_sock *sk;
	};
	union {
		void *skb_data;
	};
	union {
		void *skb_data_end;
	};
	__u32 skb_len;
	__u32 skb_tcp_flags;
	__u64 skb_hwtstamp;
};

/* sk_msg_md: include/uapi/linux/bpf.h */

struct sk_msg_md {
	union {
		void *data;
	};
	union {
		void *data_end;
	};
	__u32 family;
	__u32 remote_ip4;
	__u32 local_ip4;
	__u32 remote_ip6[4];
	__u32 local_ip6[4];
	__u32 remote_port;
	__u32 local_port;
	__u32 size;
	union {
		struct bpf_sock *sk;
	};
};

/* sk_reuseport_md: include/uapi/linux/bpf.h */

struct sk_reuseport_md {
	union {
		void *data;
	};
	union {
		void *data_end;
	};
	__u32 len;
	__u32 eth_protocol;
	__u32 ip_protocol;
	__u32 bind_inany;
	__u32 hash;
	union {
		struct bpf_sock *sk;
	};
	union {
		struct bpf_sock *migrating_sk;
	};
};

/* bpf_perf_event_data: include/uapi/linux/bpf.h */

typedef struct pt_regs bpf_user_pt_regs_t;

struct bpf_perf_event_data {
	bpf_user_pt_regs_t regs;
	__u64 sample_period;
	__u64 addr;
};

/* bpf_raw_tracepoint_args: include/uapi/linux/bpf.h */

struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

/* bpf_flow_keys: include/uapi/linux/bpf.h */

struct bpf_flow_keys {
	__u16 nhoff;
	__u16 thoff;
	__u16 addr_proto;
	__u8 is_frag;
	__u8 is_first_frag;
	__u8 is_encap;
	__u8 ip_proto;
	__be16 n_proto;
	__be16 sport;
	__be16 dport;
	union {
		struct {
			__be32 ipv4_src;
			__be32 ipv4_dst;
		};
		struct {
			__u32 ipv6_src[4];
			__u32 ipv6_dst[4];
		};
	};
	__u32 flags;
	__be32 flow_label;
};

/* bpf_sk_lookup: include/uapi/linux/bpf.h */

struct bpf_sk_lookup {
	union {
		union {
			struct bpf_sock *sk;
		};
		__u64 cookie;
	};
	__u32 family;
	__u32 protocol;
	__u32 remote_ip4;
	__u32 remote_ip6[4];
	__be16 remote_port;
	__u32 local_ip4;
	__u32 local_ip6[4];
	__u32 local_port;
	__u32 ingress_ifindex;
};

/* bpf_sysctl: include/uapi/linux/bpf.h */

struct bpf_sysctl {
	__u32 write;
	__u32 file_pos;
};

/* bpf_sockopt: include/uapi/linux/bpf.h */

struct bpf_sockopt {
	union {
		struct bpf_sock *sk;
	};
	union {
		void *optval;
	};
	union {
		void *optval_end;
	};
	__s32 level;
	__s32 optname;
	__s32 optlen;
	__s32 retval;
};

/* bpf_cgroup_dev_ctx: include/uapi/linux/bpf.h */

struct bpf_cgroup_dev_ctx {
	__u32 access_type;
	__u32 major;
	__u32 minor;
};

/* bpf_spin_lock: include/uapi/linux/bpf.h */

struct bpf_spin_lock {
	__u32 val;
};

/* bpf_timer: include/uapi/linux/bpf.h */

struct bpf_timer {
	__u64 __opaque[2];
};

/* bpf_fib_lookup: include/uapi/linux/bpf.h */

struct bpf_fib_lookup {
	__u8 family;
	__u8 l4_protocol;
	__be16 sport;
	__be16 dport;
	union {
		__u16 tot_len;
		__u16 mtu_result;
	};
	__u32 ifindex;
	union {
		__u8 tos;
		__be32 flowinfo;
		__u32 rt_metric;
	};
	union {
		__be32 ipv4_src;
		__u32 ipv6_src[4];
	};
	union {
		__be32 ipv4_dst;
		__u32 ipv6_dst[4];
	};
	union {
		struct {
			__be16 h_vlan_proto;
			__be16 h_vlan_TCI;
		};
		__u32 tbid;
	};
	union {
		struct {
			__u32 mark;
		};
		struct {
			__u8 smac[6];
			__u8 dmac[6];
		};
	};
};

/* bpf_tunnel_key: include/uapi/linux/bpf.h */

struct bpf_tunnel_key {
	__u32 tunnel_id;
	union {
		__u32 remote_ipv4;
		__u32 remote_ipv6[4];
	};
	__u8 tunnel_tos;
	__u8 tunnel_ttl;
	union {
		__u16 tunnel_ext;
		__be16 tunnel_flags;
	};
	__u32 tunnel_label;
	union {
		__u32 local_ipv4;
		__u32 local_ipv6[4];
	};
};

/* time_namespace: include/linux/time_namespace.h */

struct time_namespace {
	char __pad_165[16];
	struct ns_common ns;
	char __pad_166[48];
};

/*
 * Tracepoint records, as the world writes them (src/world/proc/tracepoints.ts). The
 * syscalls:sys_enter_<name>/sys_exit_<name> records have no struct of their own in Linux's BTF:
 * programs read them as trace_event_raw_sys_enter/sys_exit, whose offsets they share.
 */
struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long int id;
	long unsigned int args[6];
	char __data[0];
};

struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long int id;
	long int ret;
	char __data[0];
};

struct trace_event_raw_sched_process_exec {
	struct trace_entry ent;
	u32 __data_loc_filename;
	pid_t pid;
	pid_t old_pid;
	char __data[0];
};

struct trace_event_raw_sched_process_fork {
	struct trace_entry ent;
	char parent_comm[16];
	pid_t parent_pid;
	char child_comm[16];
	pid_t child_pid;
	char __data[0];
};

/* sched_process_exit (and _free, _wait) records. */
struct trace_event_raw_sched_process_template {
	struct trace_entry ent;
	char comm[16];
	pid_t pid;
	int prio;
	char __data[0];
};

struct trace_event_raw_sched_switch {
	struct trace_entry ent;
	char prev_comm[16];
	pid_t prev_pid;
	int prev_prio;
	long int prev_state;
	char next_comm[16];
	pid_t next_pid;
	int next_prio;
	char __data[0];
};

typedef _Bool bool;
typedef long int __kernel_ssize_t;
typedef __kernel_ssize_t ssize_t;
typedef void *fl_owner_t;

/*
 * The raw tracepoints (raw_tp, tp_btf): TP_PROTO after the `void *__data` every probe gets, the
 * arguments the world passes as the event's raw arguments. The kernel resolves `tp_btf/<name>`
 * through the typedef btf_trace_<name>.
 */
typedef void (*btf_trace_sys_enter)(void *, struct pt_regs *, long int);
typedef void (*btf_trace_sys_exit)(void *, struct pt_regs *, long int);
typedef void (*btf_trace_sched_process_exec)(void *, struct task_struct *, pid_t, struct linux_binprm *);
typedef void (*btf_trace_sched_process_fork)(void *, struct task_struct *, struct task_struct *);
typedef void (*btf_trace_sched_process_exit)(void *, struct task_struct *);
typedef void (*btf_trace_sched_switch)(void *, bool, struct task_struct *, struct task_struct *, unsigned int);

/*
 * The kernel functions of /proc/kallsyms (src/world/proc/kallsyms.ts), with the prototypes
 * fentry/fexit programs get their arguments by. Defined (empty) and `used` so that clang emits a
 * FUNC for each, with linkage static as pahole gives vmlinux functions.
 */
#define KFUNC static __attribute__((used, noinline))

KFUNC bool do_syscall_64(struct pt_regs *regs, int nr) { return 0; }
KFUNC void ret_from_fork(void) {}
KFUNC void default_idle(void) {}
KFUNC pid_t kernel_clone(struct kernel_clone_args *args) { return 0; }
KFUNC long __x64_sys_clone(const struct pt_regs *regs) { return 0; }
KFUNC void do_exit(long code) {}
KFUNC void do_group_exit(int exit_code) {}
KFUNC long __x64_sys_exit(const struct pt_regs *regs) { return 0; }
KFUNC long __x64_sys_exit_group(const struct pt_regs *regs) { return 0; }
KFUNC int kill_something_info(int sig, struct kernel_siginfo *info, pid_t pid) { return 0; }
KFUNC long __x64_sys_kill(const struct pt_regs *regs) { return 0; }
KFUNC void wake_up_new_task(struct task_struct *p) {}
KFUNC long do_sys_openat2(int dfd, const char *filename, struct open_how *how) { return 0; }
KFUNC long __x64_sys_openat(const struct pt_regs *regs) { return 0; }
KFUNC int filp_close(struct file *filp, fl_owner_t id) { return 0; }
KFUNC long __x64_sys_close(const struct pt_regs *regs) { return 0; }
KFUNC ssize_t vfs_read(struct file *file, char *buf, size_t count, loff_t *pos) { return 0; }
KFUNC ssize_t vfs_write(struct file *file, const char *buf, size_t count, loff_t *pos) { return 0; }
KFUNC ssize_t ksys_read(unsigned int fd, char *buf, size_t count) { return 0; }
KFUNC long __x64_sys_read(const struct pt_regs *regs) { return 0; }
KFUNC ssize_t ksys_write(unsigned int fd, const char *buf, size_t count) { return 0; }
KFUNC long __x64_sys_write(const struct pt_regs *regs) { return 0; }
KFUNC int bprm_execve(struct linux_binprm *bprm, int fd, struct filename *filename, int flags) { return 0; }
KFUNC long __x64_sys_execve(const struct pt_regs *regs) { return 0; }
KFUNC int __sys_socket(int family, int type, int protocol) { return 0; }
KFUNC long __x64_sys_socket(const struct pt_regs *regs) { return 0; }
KFUNC int __sys_bind(int fd, struct sockaddr *umyaddr, int addrlen) { return 0; }
KFUNC long __x64_sys_bind(const struct pt_regs *regs) { return 0; }
KFUNC int __sys_listen(int fd, int backlog) { return 0; }
KFUNC long __x64_sys_listen(const struct pt_regs *regs) { return 0; }
KFUNC int __sys_accept4(int upeer_fd, struct sockaddr *upeer_sockaddr, int *upeer_addrlen, int flags) { return 0; }
KFUNC long __x64_sys_accept(const struct pt_regs *regs) { return 0; }
KFUNC int __sys_connect(int fd, struct sockaddr *uservaddr, int addrlen) { return 0; }
KFUNC long __x64_sys_connect(const struct pt_regs *regs) { return 0; }
KFUNC long __x64_sys_sendto(const struct pt_regs *regs) { return 0; }
KFUNC long __x64_sys_recvfrom(const struct pt_regs *regs) { return 0; }
KFUNC struct sock *inet_csk_accept(struct sock *sk, int flags, int *err, bool kern) { return 0; }
KFUNC int tcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len) { return 0; }
KFUNC int tcp_v6_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len) { return 0; }

/*
 * kfuncs (kernel/bpf/helpers.c): the kernel functions programs call by BTF id (call src_reg 2).
 * Their KF_* flags and the program types allowed to call them are in @bpfhive/uapi's kfuncs.ts;
 * the kernel-sim implements them in src/core/kfuncs.
 */
typedef __s32 s32;

KFUNC struct task_struct *bpf_task_acquire(struct task_struct *p) { return 0; }
KFUNC void bpf_task_release(struct task_struct *p) {}
KFUNC struct task_struct *bpf_task_from_pid(s32 pid) { return 0; }
KFUNC void bpf_rcu_read_lock(void) {}
KFUNC void bpf_rcu_read_unlock(void) {}

/*
 * Per-CPU variables, the VARs of the .data..percpu DATASEC that pahole keeps in vmlinux BTF
 * (typed ksyms: `extern const int bpf_prog_active __ksym;`). The kernel-sim backs each with one
 * copy per CPU (src/core/ksyms).
 */
__attribute__((section(".data..percpu"), used)) int bpf_prog_active;

/* Every struct, union, enum and tracepoint typedef above, by value, so clang emits them whole. */
struct __vmlinux_keep {
	struct pt_regs pt_regs;
	struct thread_info thread_info;
	struct list_head list_head;
	struct task_struct task_struct;
	struct cred cred;
	struct refcount_struct refcount_struct;
	struct upid upid;
	struct pid pid;
	struct ns_common ns_common;
	struct pid_namespace pid_namespace;
	struct nsproxy nsproxy;
	struct new_utsname new_utsname;
	struct uts_namespace uts_namespace;
	struct mnt_namespace mnt_namespace;
	struct ipc_namespace ipc_namespace;
	struct net net;
	struct cgroup_namespace cgroup_namespace;
	struct user_namespace user_namespace;
	struct signal_struct signal_struct;
	struct mm_struct mm_struct;
	struct path path;
	struct fs_struct fs_struct;
	struct fdtable fdtable;
	struct files_struct files_struct;
	struct file file;
	struct vfsmount vfsmount;
	struct qstr qstr;
	struct dentry dentry;
	struct inode inode;
	struct super_block super_block;
	struct file_system_type file_system_type;
	struct linux_binprm linux_binprm;
	struct filename filename;
	struct css_set css_set;
	struct cgroup_subsys_state cgroup_subsys_state;
	struct cgroup cgroup;
	struct kernfs_node kernfs_node;
	struct in6_addr in6_addr;
	struct sock_common sock_common;
	struct sock_cgroup_data sock_cgroup_data;
	struct sock sock;
	struct inet_sock inet_sock;
	struct inet_connection_sock inet_connection_sock;
	struct tcp_sock tcp_sock;
	struct socket socket;
	struct sk_buff sk_buff;
	struct net_device net_device;
	struct xdp_buff xdp_buff;
	struct xdp_rxq_info xdp_rxq_info;
	struct xdp_txq_info xdp_txq_info;
	struct kernel_clone_args kernel_clone_args;
	struct kernel_siginfo kernel_siginfo;
	struct open_how open_how;
	struct in_addr in_addr;
	struct sockaddr_in sockaddr_in;
	struct sockaddr_in6 sockaddr_in6;
	struct trace_entry trace_entry;
	struct sockaddr sockaddr;
	struct ethhdr ethhdr;
	struct iphdr iphdr;
	struct ipv6hdr ipv6hdr;
	struct tcphdr tcphdr;
	struct udphdr udphdr;
	struct icmphdr icmphdr;
	enum xdp_action xdp_action;
	enum bpf_map_type bpf_map_type;
	enum bpf_prog_type bpf_prog_type;
	enum bpf_attach_type bpf_attach_type;
	enum pid_type pid_type;
	struct xdp_md xdp_md;
	struct __sk_buff __sk_buff;
	struct bpf_sock bpf_sock;
	struct bpf_sock_tuple bpf_sock_tuple;
	struct bpf_sock_addr bpf_sock_addr;
	struct bpf_sock_ops bpf_sock_ops;
	struct sk_msg_md sk_msg_md;
	struct sk_reuseport_md sk_reuseport_md;
	struct bpf_perf_event_data bpf_perf_event_data;
	struct bpf_raw_tracepoint_args bpf_raw_tracepoint_args;
	struct bpf_flow_keys bpf_flow_keys;
	struct bpf_sk_lookup bpf_sk_lookup;
	struct bpf_sysctl bpf_sysctl;
	struct bpf_sockopt bpf_sockopt;
	struct bpf_cgroup_dev_ctx bpf_cgroup_dev_ctx;
	struct bpf_spin_lock bpf_spin_lock;
	struct bpf_timer bpf_timer;
	struct bpf_fib_lookup bpf_fib_lookup;
	struct bpf_tunnel_key bpf_tunnel_key;
	struct time_namespace time_namespace;
	struct trace_event_raw_sys_enter trace_event_raw_sys_enter;
	struct trace_event_raw_sys_exit trace_event_raw_sys_exit;
	struct trace_event_raw_sched_process_exec trace_event_raw_sched_process_exec;
	struct trace_event_raw_sched_process_fork trace_event_raw_sched_process_fork;
	struct trace_event_raw_sched_process_template trace_event_raw_sched_process_template;
	struct trace_event_raw_sched_switch trace_event_raw_sched_switch;
	btf_trace_sys_enter btf_trace_sys_enter;
	btf_trace_sys_exit btf_trace_sys_exit;
	btf_trace_sched_process_exec btf_trace_sched_process_exec;
	btf_trace_sched_process_fork btf_trace_sched_process_fork;
	btf_trace_sched_process_exit btf_trace_sched_process_exit;
	btf_trace_sched_switch btf_trace_sched_switch;
};

KFUNC void __vmlinux_keep_types(struct __vmlinux_keep *keep) {}
