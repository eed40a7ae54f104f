# A failed reservation is discarded, a successful one submitted: released on every path.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: accept
ld_pseudo r1, 1, 1
r2 = 16
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = 0
if r0 != 0 goto fail
call bpf_ringbuf_submit_dynptr
r0 = 2
exit
fail:
call bpf_ringbuf_discard_dynptr
r0 = 2
exit
