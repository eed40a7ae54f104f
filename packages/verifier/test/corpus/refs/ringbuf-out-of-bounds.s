# The record has the size reserved.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EACCES invalid access to memory, mem_size=8 off=8 size=8
ld_pseudo r1, 1, 1
r2 = 8
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
*(u64 *)(r0 + 8) = 1
r1 = r0
r2 = 0
call bpf_ringbuf_submit
out:
r0 = 2
exit
