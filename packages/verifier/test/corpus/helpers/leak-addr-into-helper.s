# prog_type: socket_filter
# privileges: none
# map: 1 hash key=4 value=8 entries=4
# expect: reject EACCES R4 leaks addr into helper function
*(u32 *)(r10 - 4) = 0
*(u64 *)(r10 - 16) = 0
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = r10
ld_pseudo r1, 1, 1
call bpf_map_update_elem
r0 = 0
exit
