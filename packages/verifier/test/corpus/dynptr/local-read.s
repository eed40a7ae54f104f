# A local dynptr over 8 bytes of stack, read back through bpf_dynptr_read into another buffer.
# log_level: 2
# expect: accept
*(u64 *)(r10 - 8) = 42
r1 = r10
r1 += -8
r2 = 8
r3 = 0
r4 = r10
r4 += -24
call bpf_dynptr_from_mem
r1 = r10
r1 += -32
r2 = 8
r3 = r10
r3 += -24
r4 = 0
r5 = 0
call bpf_dynptr_read
r0 = *(u64 *)(r10 - 32)
r0 = 2
exit
