# A dynptr sits on 8-byte stack slots.
# expect: reject EINVAL cannot pass in dynptr at an offset=-20
*(u64 *)(r10 - 8) = 42
r1 = r10
r1 += -8
r2 = 8
r3 = 0
r4 = r10
r4 += -20
call bpf_dynptr_from_mem
r0 = 2
exit
