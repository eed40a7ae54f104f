# An int argument (prev_state, arg3) reads as a scalar: it cannot be dereferenced.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_switch
# log_level: 2
# expect: reject EACCES R2 invalid mem access 'scalar'
r2 = *(u64 *)(r1 + 24)
r0 = *(u32 *)(r2 + 0)
exit
