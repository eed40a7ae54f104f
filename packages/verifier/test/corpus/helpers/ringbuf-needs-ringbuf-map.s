# map: 1 hash key=4 value=8 entries=4
# expect: reject EINVAL cannot pass map_type 1 into func bpf_ringbuf_reserve#131
ld_pseudo r1, 1, 1
r2 = 8
r3 = 0
call bpf_ringbuf_reserve
r0 = 0
exit
