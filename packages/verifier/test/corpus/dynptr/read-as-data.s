# The bytes of a dynptr are not data: a load from them is refused.
# expect: reject EACCES invalid read from stack off -24+0 size 8
*(u64 *)(r10 - 8) = 42
r1 = r10
r1 += -8
r2 = 8
r3 = 0
r4 = r10
r4 += -24
call bpf_dynptr_from_mem
r0 = *(u64 *)(r10 - 24)
r0 = 2
exit
