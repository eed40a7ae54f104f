# Kernel structs are read-only to tracing programs.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_switch
# expect: reject EACCES only read is supported
r2 = *(u64 *)(r1 + 16)
*(u32 *)(r2 + 8) = 0
r0 = 0
exit
