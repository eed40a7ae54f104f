# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EACCES R2 is not a known constant'
r2 = *(u32 *)(r1 + 12)
ld_pseudo r1, 1, 1
r3 = 0
call bpf_ringbuf_reserve
r0 = 2
exit
