# Submitting the record ends its slices.
# map: 1 ringbuf key=0 value=0 entries=4096
# privileges: CAP_BPF CAP_NET_ADMIN
# expect: reject EACCES R6 !read_ok
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
r6 = r0
if r6 == 0 goto submit
r1 = r10
r1 += -16
r2 = 0
call bpf_ringbuf_submit_dynptr
*(u64 *)(r6 + 0) = 1
r0 = 2
exit
submit:
r1 = r10
r1 += -16
r2 = 0
call bpf_ringbuf_submit_dynptr
r0 = 2
exit
