# fexit/vfs_read reads the return value after the four arguments; a sixth slot does not exist.
# prog_type: tracing
# attach: trace_fexit
# kernel: kernel.btf
# attach_func: vfs_read
# expect: reject EACCES invalid bpf_context access off=40 size=8
r2 = *(u64 *)(r1 + 32)
r3 = *(u64 *)(r1 + 40)
r0 = 0
exit
