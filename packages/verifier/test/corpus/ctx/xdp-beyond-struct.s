# expect: reject EACCES invalid bpf_context access off=24 size=4
r0 = *(u32 *)(r1 + 24)
exit
