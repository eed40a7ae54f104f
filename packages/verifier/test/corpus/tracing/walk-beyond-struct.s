# A read past the end of task_struct (136 bytes) is refused.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_switch
# expect: reject EACCES access beyond struct task_struct at off 136 size 8
r2 = *(u64 *)(r1 + 16)
r0 = *(u64 *)(r2 + 136)
exit
