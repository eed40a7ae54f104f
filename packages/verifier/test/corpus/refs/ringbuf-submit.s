# Reserve, check, fill, submit.
# map: 1 ringbuf key=0 value=0 entries=4096
# log_level: 2
# expect: accept
ld_pseudo r1, 1, 1
r2 = 8
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
*(u64 *)(r0 + 0) = 1
r1 = r0
r2 = 0
call bpf_ringbuf_submit
out:
r0 = 2
exit
