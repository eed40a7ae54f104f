# A store over a dynptr that holds a reference is refused.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EINVAL cannot overwrite referenced dynptr
ld_pseudo r1, 1, 1
r2 = 16
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -16
r2 = 0
call bpf_ringbuf_discard_dynptr
r0 = 2
exit
