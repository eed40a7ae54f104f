# Members by offset: a nested struct's field (se.sum_exec_runtime), an array of structs
# (hist[1].vruntime), a char of comm, a bitfield's word, the flexible array past pid_samples.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_switch
# log_level: 2
# expect: accept
r2 = *(u64 *)(r1 + 16)
r3 = *(u64 *)(r2 + 64)
r3 = *(u64 *)(r2 + 88)
r3 = *(u8 *)(r2 + 107)
r3 = *(u32 *)(r2 + 4)
r4 = *(u64 *)(r2 + 128)
r3 = *(u64 *)(r4 + 48)
r0 = 0
exit
