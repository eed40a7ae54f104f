# bpf_ringbuf_submit_dynptr releases a reference: a local dynptr holds none.
# expect: reject EINVAL arg 1 is an unacquired reference
*(u64 *)(r10 - 8) = 42
r1 = r10
r1 += -8
r2 = 8
r3 = 0
r4 = r10
r4 += -24
call bpf_dynptr_from_mem
r1 = r10
r1 += -24
r2 = 0
call bpf_ringbuf_submit_dynptr
r0 = 2
exit
