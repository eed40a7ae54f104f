# Only the record's start may be released.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EINVAL R1 must have zero offset when passed to release func or trusted arg to kfunc
ld_pseudo r1, 1, 1
r2 = 8
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r1 = r0
r1 += 4
r2 = 0
call bpf_ringbuf_submit
out:
r0 = 2
exit
