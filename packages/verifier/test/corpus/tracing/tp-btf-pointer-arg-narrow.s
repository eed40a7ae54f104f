# A pointer argument is read whole, as 8 bytes.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: sched_switch
# expect: reject EACCES invalid bpf_context access off=16 size=4
r2 = *(u32 *)(r1 + 16)
r0 = 0
exit
