# A store over a local dynptr destroys it: it is no dynptr any more.
# expect: reject EINVAL Expected an initialized dynptr as arg #1
*(u64 *)(r10 - 8) = 42
r1 = r10
r1 += -8
r2 = 8
r3 = 0
r4 = r10
r4 += -24
call bpf_dynptr_from_mem
*(u64 *)(r10 - 16) = 0
r1 = r10
r1 += -24
r2 = 0
r3 = r10
r3 += -8
r4 = 8
r5 = 0
call bpf_dynptr_write
r0 = 2
exit
