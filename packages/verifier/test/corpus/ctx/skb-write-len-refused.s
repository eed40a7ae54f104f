# prog_type: sched_cls
# expect: reject EACCES invalid bpf_context access off=0 size=4
r2 = 7
*(u32 *)(r1 + 0) = r2
r0 = 0
exit
