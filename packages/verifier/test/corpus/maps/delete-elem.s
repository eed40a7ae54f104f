# map: 1 lru_hash key=8 value=8 entries=64
# expect: accept
*(u64 *)(r10 - 8) = 1
r2 = r10
r2 += -8
ld_pseudo r1, 1, 1
call bpf_map_delete_elem
r0 = 2
exit
