# Queue maps take values only.
# map: 1 queue key=0 value=8 entries=16
# expect: accept
*(u64 *)(r10 - 8) = 0
ld_pseudo r1, 1, 1
r2 = r10
r2 += -8
r3 = 0
call bpf_map_push_elem
ld_pseudo r1, 1, 1
r2 = r10
r2 += -16
call bpf_map_pop_elem
r0 = *(u64 *)(r10 - 16)
exit
