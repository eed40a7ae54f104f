# Even when the reservation failed the dynptr must be released (discarded): here it is not on
# the failure path.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EINVAL Unreleased reference
ld_pseudo r1, 1, 1
r2 = 16
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
if r0 != 0 goto out
r1 = r10
r1 += -16
r2 = 0
call bpf_ringbuf_submit_dynptr
out:
r0 = 2
exit
