/*
 * A small kernel BTF for the tracing corpus (kernel.btf, built by build.sh): structs shaped like
 * Linux's (task_struct, mm_struct, file, path, dentry, qstr, inode) with the kinds of member
 * btf_struct_walk handles — scalars, bitfields, pointers to structs and to chars, nested structs,
 * arrays of structs, a union, a trailing flexible array — the sched_switch raw tracepoint
 * (btf_trace_sched_switch), an fentry target, lsm hooks and the task kfuncs; then raw tracepoints
 * raw_tp_null_args marks (sched_pi_setprio, cachefiles_lookup), one with a `__nullable` argument
 * and an lsm hook in untrusted_lsm_hooks (task_free).
 */
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int pid_t;
typedef _Bool bool;
typedef long long loff_t;
typedef unsigned long size_t;

struct list_head {
	struct list_head *next, *prev;
};

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

struct inode {
	unsigned long i_ino;
	loff_t i_size;
};

struct dentry {
	unsigned int d_flags;
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
};

struct vfsmount {
	struct dentry *mnt_root;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_flags;
};

struct mm_struct {
	unsigned long start_stack;
	struct file *exe_file;
};

struct sched_entity {
	u64 vruntime;
	u64 sum_exec_runtime;
};

struct pid_samples {
	u32 nr;
	u64 samples[];
};

struct task_struct {
	unsigned int __state;
	unsigned int policy : 4;
	unsigned int in_iowait : 1;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *parent;
	struct list_head children;
	struct mm_struct *mm;
	struct sched_entity se;
	struct sched_entity hist[2];
	char comm[16];
	union {
		struct file *exe;
		unsigned long cookie;
	} u;
	struct pid_samples *samples;
};

typedef void (*btf_trace_sched_switch)(void *__data, bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state);

btf_trace_sched_switch __keep_sched_switch;

__attribute__((noinline)) int vfs_read(struct file *file, char *buf, size_t count, loff_t *pos)
{
	return file ? (int)count : 0;
}

__attribute__((noinline)) int bpf_lsm_file_open(struct file *file)
{
	return file ? 0 : -1;
}

__attribute__((noinline)) int bpf_lsm_task_alloc(struct task_struct *task, unsigned long clone_flags)
{
	return task && clone_flags ? 0 : -1;
}

__attribute__((noinline)) struct task_struct *bpf_task_acquire(struct task_struct *p)
{
	return p;
}

__attribute__((noinline)) void bpf_task_release(struct task_struct *p)
{
	(void)p;
}

/* Makes clang describe the structs only reached through pointer members in full, not as FWD. */
struct __keep {
	struct dentry dentry;
	struct inode inode;
	struct mm_struct mm_struct;
	struct vfsmount vfsmount;
	struct pid_samples pid_samples;
};

__attribute__((noinline)) int __keep_structs(struct __keep *keep)
{
	return keep != 0;
}

/* Below: added after the types above, so that their ids stay as the golden files name them. */

/* raw_tp_null_args: sched_pi_setprio's pi_task (arg1) may be NULL; cachefiles_lookup's obj (arg0)
 * may be NULL and its de (arg2) an error pointer. */
struct cachefiles_object {
	unsigned int debug_id;
};

typedef void (*btf_trace_sched_pi_setprio)(void *__data, struct task_struct *tsk, struct task_struct *pi_task);
typedef void (*btf_trace_cachefiles_lookup)(void *__data, struct cachefiles_object *obj, struct dentry *dir, struct dentry *de);

btf_trace_sched_pi_setprio __keep_sched_pi_setprio;
btf_trace_cachefiles_lookup __keep_cachefiles_lookup;

/* A tracepoint whose argument is named *__nullable (bpf_testmod's): the names come from its probe,
 * __bpf_trace_<tracepoint>, as typedefs' prototypes name no arguments. */
struct bpf_testmod_test_read_ctx {
	char *buf;
	loff_t off;
	size_t len;
};

typedef void (*btf_trace_bpf_testmod_test_nullable_bare)(void *__data, struct bpf_testmod_test_read_ctx *ctx__nullable);

btf_trace_bpf_testmod_test_nullable_bare __keep_nullable_bare;

__attribute__((noinline)) void __bpf_trace_bpf_testmod_test_nullable_bare(void *__data, struct bpf_testmod_test_read_ctx *ctx__nullable)
{
	(void)__data;
	(void)ctx__nullable;
}

/* untrusted_lsm_hooks: the task being freed is not a trusted argument. */
__attribute__((noinline)) void bpf_lsm_task_free(struct task_struct *task)
{
	(void)task;
}
