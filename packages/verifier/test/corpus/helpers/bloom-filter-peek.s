# map: 1 bloom_filter key=0 value=4 entries=64
# expect: accept
*(u32 *)(r10 - 4) = 7
ld_pseudo r1, 1, 1
r2 = r10
r2 += -4
call bpf_map_peek_elem
r0 = 0
exit
