# sched_switch has four arguments after __data: a read of a fifth is refused.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_switch
# expect: reject EACCES invalid bpf_context access off=32 size=8
r2 = *(u64 *)(r1 + 32)
r0 = 0
exit
