# prog_type: kprobe
# expect: reject EACCES invalid bpf_context access off=0 size=8
r2 = 0
*(u64 *)(r1 + 0) = r2
r0 = 0
exit
