# The slice may be NULL (the offset and size are checked at run time).
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EACCES R0 invalid mem access 'mem_or_null'
ld_pseudo r1, 1, 1
r2 = 16
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = 0
r3 = 8
call bpf_dynptr_data
*(u64 *)(r0 + 0) = 1
r1 = r10
r1 += -16
r2 = 0
call bpf_ringbuf_submit_dynptr
r0 = 2
exit
