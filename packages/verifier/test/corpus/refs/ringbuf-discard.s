# Discarding releases the record as submitting does.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: accept
ld_pseudo r1, 1, 1
r2 = 16
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r1 = r0
r2 = 0
call bpf_ringbuf_discard
out:
r0 = 2
exit
