# A pointer member is read whole or not at all.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_switch
# expect: reject EACCES cannot access ptr member real_parent with moff 16 in struct task_struct with off 16 size 4
r2 = *(u64 *)(r1 + 16)
r0 = *(u32 *)(r2 + 16)
exit
