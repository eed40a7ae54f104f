# fentry/vfs_read: file->f_path.dentry->d_name.name, as opensnoop-style tools read it: the
# argument and the pointers walked from it are plain ptr_ (fentry arguments are not trusted),
# the name pointer a number read with bpf_probe_read_kernel.
# prog_type: tracing
# attach: trace_fentry
# kernel: kernel.btf
# attach_func: vfs_read
# log_level: 2
# expect: accept
r2 = *(u64 *)(r1 + 0)
r3 = *(u64 *)(r2 + 8)
r4 = *(u64 *)(r3 + 24)
r1 = r10
r1 += -16
r2 = 16
r3 = r4
call bpf_probe_read_kernel
r0 = 0
exit
