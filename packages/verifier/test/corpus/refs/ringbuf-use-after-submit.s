# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EACCES R6 invalid mem access 'scalar'
ld_pseudo r1, 1, 1
r2 = 8
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r6 = r0
r1 = r0
r2 = 0
call bpf_ringbuf_submit
*(u64 *)(r6 + 0) = 1
out:
r0 = 2
exit
